#include "common/duration.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace thrad {
namespace {
namespace duration_test {

int64_t Micros(std::string_view text) {
  Result<int64_t> r = ParseDurationMicros(text);
  EXPECT_OK(r) << text << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

TEST(DurationTest, ParsesEveryUnit) {
  EXPECT_EQ(Micros("1500ms"), 1'500'000);
  EXPECT_EQ(Micros("45s"), 45'000'000);
  EXPECT_EQ(Micros("90m"), int64_t{90} * 60'000'000);
  EXPECT_EQ(Micros("12h"), int64_t{12} * 3600'000'000);
  EXPECT_EQ(Micros("30d"), int64_t{30} * 86400'000'000);
  EXPECT_EQ(Micros("2w"), int64_t{14} * 86400'000'000);
  EXPECT_EQ(Micros("0s"), 0);
}

TEST(DurationTest, SumsParts) {
  EXPECT_EQ(Micros("1h30m"), int64_t{90} * 60'000'000);
  EXPECT_EQ(Micros("1d12h"), int64_t{36} * 3600'000'000);
}

TEST(DurationTest, RejectsMalformed) {
  for (const char* bad : {"", "30", "d", "10x", "1.5h", "-1d", " 1d", "1d ", "1D", "1h30",
                          "99999999999999999999d", "20000000w"}) {
    Result<int64_t> r = ParseDurationMicros(bad);
    EXPECT_FALSE(r.ok()) << "accepted '" << bad << "'";
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace duration_test
}  // namespace
}  // namespace thrad
