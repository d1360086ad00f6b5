#include "api/extras.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "api/json_body.h"
#include "api_test_support.h"
#include "testing/status_matchers.h"

namespace thrad {
namespace {

using test::Quote;
using test::Repeat;

// Sanitizes the JSON object text `unknown` and returns the result as JSON text.
std::string Sanitize(std::string_view unknown, SanitizeStats* stats_out = nullptr) {
  Parsed<JsonBody> body = ParseJsonObjectBody(unknown);
  EXPECT_OK(body) << unknown;
  SanitizeStats stats;
  std::string out = boost::json::serialize(SanitizeExtra(body.record.object, stats));
  if (stats_out != nullptr) *stats_out = stats;
  return out;
}

TEST(SanitizeExtraTest, KeepsScalarsAsTheyAre) {
  SanitizeStats stats;
  EXPECT_EQ(
      Sanitize(R"({"s":"x","i":-7,"u":18446744073709551615,"d":2.5,"t":true,"f":false,"n":null})",
               &stats),
      R"({"s":"x","i":-7,"u":18446744073709551615,"d":2.5E0,"t":true,"f":false,"n":null})");
  EXPECT_EQ(stats, SanitizeStats{});
}

TEST(SanitizeExtraTest, EmptyInEmptyOut) { EXPECT_EQ(Sanitize("{}"), "{}"); }

TEST(SanitizeExtraTest, KeyNameRule) {
  SanitizeStats stats;
  EXPECT_EQ(Sanitize(R"({"ok_key":1,"A.b-c_9":2,"bad key":3,"":4,"é":5,"a/b":6,"a:b":7,)"
                     R"("a\u0000":8,"$x":9,"x+":10})",
                     &stats),
            R"({"ok_key":1,"A.b-c_9":2})");
  EXPECT_EQ(stats.dropped_keys, 8);
  EXPECT_EQ(stats.dropped_values, 0);
}

TEST(SanitizeExtraTest, KeyLengthLimitIs64) {
  const std::string k64 = Repeat("k", 64);
  const std::string k65 = Repeat("k", 65);
  SanitizeStats stats;
  EXPECT_EQ(Sanitize("{" + Quote(k64) + ":1," + Quote(k65) + ":2}", &stats),
            "{" + Quote(k64) + ":1}");
  EXPECT_EQ(stats.dropped_keys, 1);
}

TEST(SanitizeExtraTest, AtMost64KeysInDocumentOrder) {
  std::string in = "{";
  std::string expected = "{";
  for (int i = 0; i < 70; ++i) {
    const std::string member = "\"k" + std::to_string(i) + "\":" + std::to_string(i);
    in += (i ? "," : "") + member;
    if (i < 64) expected += (i ? "," : "") + member;
  }
  in += "}";
  expected += "}";
  SanitizeStats stats;
  EXPECT_EQ(Sanitize(in, &stats), expected);
  EXPECT_EQ(stats.dropped_keys, 6);
}

TEST(SanitizeExtraTest, BadNamesDoNotUseUpTheKeyCap) {
  std::string in = R"({"bad key 1":0,"bad key 2":0)";
  for (int i = 0; i < 64; ++i) in += ",\"k" + std::to_string(i) + "\":1";
  in += R"(,"late":1})";
  SanitizeStats stats;
  const boost::json::object out = boost::json::parse(Sanitize(in, &stats)).as_object();
  EXPECT_EQ(out.size(), 64u);
  EXPECT_TRUE(out.contains("k63"));
  EXPECT_FALSE(out.contains("late"));
  EXPECT_EQ(stats.dropped_keys, 3);
}

TEST(SanitizeExtraTest, NestedObjectsFollowTheKeyRulesToo) {
  std::string inner = "{";
  for (int i = 0; i < 65; ++i)
    inner += (i ? "," : "") + std::string("\"n") + std::to_string(i) + "\":1";
  inner += R"(,"bad name":2})";
  SanitizeStats stats;
  const boost::json::object out =
      boost::json::parse(Sanitize(R"({"o":)" + inner + "}", &stats)).as_object();
  EXPECT_EQ(out.at("o").as_object().size(), 64u);
  EXPECT_FALSE(out.at("o").as_object().contains("n64"));
  EXPECT_EQ(stats.dropped_keys, 2);
}

TEST(SanitizeExtraTest, DepthThreeIsKeptDeeperIsDropped) {
  SanitizeStats stats;
  // o is depth 1, o.a depth 2, o.a.b depth 3 (kept, but emptied), o.a.b.c depth 4 (dropped).
  EXPECT_EQ(Sanitize(R"({"o":{"x":1,"a":{"y":2,"b":{"c":{"d":1},"s":"v"}}}})", &stats),
            R"({"o":{"x":1,"a":{"y":2,"b":{}}}})");
  EXPECT_EQ(stats.dropped_values, 2);  // "c" and "s"
  EXPECT_EQ(stats.dropped_keys, 0);
}

TEST(SanitizeExtraTest, DepthAppliesToArraysToo) {
  SanitizeStats stats;
  EXPECT_EQ(Sanitize(R"({"a":[1,[2,[3,[4]],"x"]],"b":[[[]]],"c":[[[1,2]]]})", &stats),
            R"({"a":[1,[2,[],"x"]],"b":[[[]]],"c":[[[]]]})");
  EXPECT_EQ(stats.dropped_values, 4);  // 3, [4], 1, 2
}

TEST(SanitizeExtraTest, ScalarsAtDepthThreeAreKept) {
  EXPECT_EQ(Sanitize(R"({"a":{"b":{"c":"deep","n":null}}})"),
            R"({"a":{"b":{"c":"deep","n":null}}})");
}

TEST(SanitizeExtraTest, DeepInputWithinTheParserLimit) {
  std::string in = "{\"a\":";
  for (int i = 0; i < 60; ++i) in += "[";
  for (int i = 0; i < 60; ++i) in += "]";
  in += "}";
  SanitizeStats stats;
  EXPECT_EQ(Sanitize(in, &stats), R"({"a":[[[]]]})");
  EXPECT_EQ(stats.dropped_values, 1);
}

TEST(SanitizeExtraTest, ArraysKeepTheirFirst100Items) {
  std::string items100, items101;
  for (int i = 0; i < 101; ++i) {
    if (i < 100) items100 += (i ? "," : "") + std::to_string(i);
    items101 += (i ? "," : "") + std::to_string(i);
  }
  SanitizeStats stats;
  EXPECT_EQ(Sanitize("{\"a\":[" + items100 + "]}", &stats), "{\"a\":[" + items100 + "]}");
  EXPECT_EQ(stats.dropped_values, 0);
  EXPECT_EQ(Sanitize("{\"a\":[" + items101 + "]}", &stats), "{\"a\":[" + items100 + "]}");
  EXPECT_EQ(stats.dropped_values, 1);
  std::string items250;
  for (int i = 0; i < 250; ++i) items250 += (i ? "," : "") + std::to_string(i);
  EXPECT_EQ(Sanitize("{\"a\":{\"b\":[" + items250 + "]}}", &stats),
            "{\"a\":{\"b\":[" + items100 + "]}}");
  EXPECT_EQ(stats.dropped_values, 150);
}

TEST(SanitizeExtraTest, ControlCharactersAreRemoved) {
  SanitizeStats stats;
  // C0 (NUL, TAB, LF, ESC, US), DEL, C1 (U+0080, U+0085, U+009F); U+00A0 and U+2028 stay.
  EXPECT_EQ(
      Sanitize(R"({"s":"a\u0000b\tc\nd\u001be\u001ff\u007fg\u0080h\u0085i\u009fj\u00a0k\u2028l"})",
               &stats),
      "{\"s\":\"abcdefghij\xC2\xA0k\xE2\x80\xA8l\"}");
  EXPECT_EQ(stats.cleaned_strings, 1);
  EXPECT_EQ(stats.truncated_strings, 0);
}

TEST(SanitizeExtraTest, StringOfOnlyControlCharactersBecomesEmpty) {
  SanitizeStats stats;
  EXPECT_EQ(Sanitize(R"({"s":"\r\n\t"})", &stats), R"({"s":""})");
  EXPECT_EQ(stats.cleaned_strings, 1);
}

TEST(SanitizeExtraTest, StringsAreCutTo1024CodePoints) {
  for (const char* unit : {"a", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    SanitizeStats stats;
    const std::string at = Repeat(unit, 1024);
    EXPECT_EQ(Sanitize("{\"s\":" + Quote(at) + "}", &stats), "{\"s\":" + Quote(at) + "}");
    EXPECT_EQ(stats.truncated_strings, 0);
    EXPECT_EQ(Sanitize("{\"s\":" + Quote(at + unit) + "}", &stats), "{\"s\":" + Quote(at) + "}");
    EXPECT_EQ(stats.truncated_strings, 1);
  }
}

TEST(SanitizeExtraTest, CutLandsOnAUtf8Boundary) {
  // 1023 ASCII characters then multi-byte ones: the cut keeps exactly one whole emoji.
  const std::string in = Repeat("a", 1023) + Repeat("\xF0\x9F\x98\x80", 3);
  SanitizeStats stats;
  const boost::json::object out =
      boost::json::parse(Sanitize("{\"s\":" + Quote(in) + "}", &stats)).as_object();
  EXPECT_EQ(std::string(out.at("s").as_string()), Repeat("a", 1023) + "\xF0\x9F\x98\x80");
  EXPECT_EQ(stats.truncated_strings, 1);
}

TEST(SanitizeExtraTest, ControlCharactersDoNotCountTowardTheCut) {
  const std::string in = Repeat("a", 1024);
  SanitizeStats stats;
  EXPECT_EQ(Sanitize("{\"s\":\"\\u0000" + in + "\\u0001\"}", &stats), "{\"s\":" + Quote(in) + "}");
  EXPECT_EQ(stats.truncated_strings, 0);
  EXPECT_EQ(stats.cleaned_strings, 1);
}

TEST(SanitizeExtraTest, StringRulesApplyInsideContainers) {
  SanitizeStats stats;
  const std::string long_text = Repeat("x", 1030);
  EXPECT_EQ(Sanitize("{\"o\":{\"a\":[\"p\\u0000q\"," + Quote(long_text) + "]}}", &stats),
            "{\"o\":{\"a\":[\"pq\"," + Quote(Repeat("x", 1024)) + "]}}");
  EXPECT_EQ(stats.cleaned_strings, 1);
  EXPECT_EQ(stats.truncated_strings, 1);
}

TEST(SanitizeExtraTest, NumbersADoubleCannotHoldAreDropped) {
  SanitizeStats stats;
  EXPECT_EQ(Sanitize(R"({"big":1e400,"neg":-1e400,"arr":[1,1e999,2],"ok":1e300})", &stats),
            R"({"arr":[1,2],"ok":1E300})");
  EXPECT_EQ(stats.dropped_values, 3);
}

TEST(SanitizeExtraTest, CountsAddUpAcrossCalls) {
  SanitizeStats stats;
  boost::json::object a = boost::json::parse(R"({"bad key":1})").as_object();
  (void)SanitizeExtra(a, stats);
  (void)SanitizeExtra(a, stats);
  EXPECT_EQ(stats.dropped_keys, 2);
}

}  // namespace
}  // namespace thrad
