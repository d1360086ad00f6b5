#include "http/request_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace thrad {
namespace {

TEST(RequestIdTest, AcceptsValidClientIds) {
  EXPECT_TRUE(IsValidRequestId("a"));
  EXPECT_TRUE(IsValidRequestId("abc-DEF_012.3:4"));
  EXPECT_TRUE(IsValidRequestId(std::string(128, 'x')));
  EXPECT_EQ(ResolveRequestId("trace-1:2.3_4"), "trace-1:2.3_4");
}

TEST(RequestIdTest, RejectsInvalidClientIds) {
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'x')));
  EXPECT_FALSE(IsValidRequestId("has space"));
  EXPECT_FALSE(IsValidRequestId("semi;colon"));
  EXPECT_FALSE(IsValidRequestId("slash/"));
  EXPECT_FALSE(IsValidRequestId("nl\n"));
  EXPECT_FALSE(IsValidRequestId("\xc3\xa9"));
}

TEST(RequestIdTest, GeneratesUniqueValidIdsOtherwise) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id =
        ResolveRequestId(i % 2 ? std::optional<std::string_view>("bad id") : std::nullopt);
    EXPECT_TRUE(IsValidRequestId(id)) << id;
    EXPECT_EQ(id.rfind("req_", 0), 0u) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RequestIdTest, GeneratedIdsEndInACounterOf16HexDigits) {
  const std::string a = ResolveRequestId(std::nullopt);
  const std::string b = ResolveRequestId(std::nullopt);
  ASSERT_EQ(a.size(), std::string("req_").size() + 8 + 16) << a;  // prefix: 4 random bytes
  EXPECT_EQ(a.substr(0, 12), b.substr(0, 12));
  const uint64_t na = std::stoull(a.substr(12), nullptr, 16);
  const uint64_t nb = std::stoull(b.substr(12), nullptr, 16);
  EXPECT_EQ(nb, na + 1);
  EXPECT_EQ(a.substr(12).find_first_not_of("0123456789abcdef"), std::string::npos) << a;
}

}  // namespace
}  // namespace thrad
