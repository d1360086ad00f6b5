// common/json_text.h: JSON text written straight into a string must read back as what was
// written, and match SerializeJson where both can write a value.
#include "common/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <limits>
#include <string>

#include "common/json_numbers.h"

namespace thrad {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(JsonTextTest, StringsEscapeOnlyWhatJsonNeedsAtEveryPositionOfARun) {
  EXPECT_EQ(Quoted(""), R"("")");
  EXPECT_EQ(Quoted("plain text"), R"("plain text")");
  EXPECT_EQ(Quoted("\""), R"("\"")");
  EXPECT_EQ(Quoted("\"mid\\dle\""), R"("\"mid\\dle\"")");
  EXPECT_EQ(Quoted("a\nb"), R"("a\nb")");
  EXPECT_EQ(Quoted(std::string_view("\0x\x1f", 3)), R"("\u0000x\u001f")");
  EXPECT_EQ(Quoted("caf\xc3\xa9 </script>"), "\"caf\xc3\xa9 </script>\"");
}

TEST(JsonTextTest, EveryAsciiCharacterReadsBackAsItself) {
  std::string all;
  for (int c = 0; c < 128; ++c) all.push_back(static_cast<char>(c));
  const std::string text = all + "tail \xe2\x98\x83" + all;
  boost::json::value v = boost::json::parse(Quoted(text));
  ASSERT_TRUE(v.is_string());
  EXPECT_EQ(std::string_view(v.as_string()), text);
}

TEST(JsonTextTest, IntegersAndDoublesAreWrittenAsSerializeJsonWritesThem) {
  for (int64_t i : {int64_t{0}, int64_t{-1}, int64_t{42}, std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    std::string out;
    AppendJsonInt(out, i);
    EXPECT_EQ(out, SerializeJson(boost::json::value(i)));
  }
  for (double d : {0.0, -0.0, 0.5, 49.99, 1.0 / 3.0, 1e21, 1e-7, 5e-324, 10.0}) {
    std::string out;
    AppendJsonDouble(out, d);
    EXPECT_EQ(out, SerializeJson(boost::json::value(d))) << d;
  }
}

}  // namespace
}  // namespace thrad
