#include "common/log_format.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

template <typename Append>
std::string Written(Append append) {
  fmt::memory_buffer out;
  append(out);
  return fmt::to_string(out);
}

TEST(LogFormatTest, ParsesFormats) {
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
  EXPECT_FALSE(ParseLogFormat("JSON").ok());
}

TEST(LogFormatTest, NamesParseBack) {
  for (LogFormat format : {LogFormat::kJson, LogFormat::kText}) {
    Result<LogFormat> parsed = ParseLogFormat(LogFormatName(format));
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, format);
  }
  EXPECT_EQ(LogFormatName(LogFormat::kJson), "json");
  EXPECT_EQ(LogFormatName(LogFormat::kText), "text");
}

TEST(LogFormatTest, JsonStringsEscapeQuotesBackslashesAndControls) {
  const std::string s = Written([](auto& out) {
    AppendJsonString(out, std::string_view("a\"b\\c\n\r\t\x01\x7f\xc3\xa9", 12));
  });
  EXPECT_EQ(s, "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u007f\xc3\xa9\"");
}

TEST(LogFormatTest, TextValuesArePlainTokensOrQuoted) {
  auto text = [](std::string_view v) {
    return Written([v](auto& out) { AppendTextValue(out, v); });
  };
  EXPECT_EQ(text("partner-a"), "partner-a");
  EXPECT_EQ(text(""), "\"\"");
  EXPECT_EQ(text("has space"), "\"has space\"");
  EXPECT_EQ(text("a=b"), "\"a=b\"");
  EXPECT_EQ(text("q\""), "\"q\\\"\"");
}

TEST(LogFormatTest, TimestampIsUtcWithMilliseconds) {
  using std::chrono::milliseconds;
  const std::chrono::system_clock::time_point t{milliseconds(1'771'524'000'123)};
  EXPECT_EQ(FormatTimestamp(t), "2026-02-19T18:00:00.123Z");
  EXPECT_EQ(FormatTimestamp(t + milliseconds(877)), "2026-02-19T18:00:01.000Z");
  EXPECT_EQ(FormatTimestamp(t + milliseconds(5)), "2026-02-19T18:00:00.128Z");  // back again
}

TEST(LogFormatTest, LineStartInEitherFormat) {
  EXPECT_EQ(
      Written([](auto& out) { AppendLineStart(out, LogFormat::kJson, "TS", "info", "access"); }),
      R"({"ts":"TS","level":"info","logger":"access")");
  EXPECT_EQ(
      Written([](auto& out) { AppendLineStart(out, LogFormat::kText, "TS", "info", "access"); }),
      "TS info access ");
}

}  // namespace
}  // namespace thrad::test
