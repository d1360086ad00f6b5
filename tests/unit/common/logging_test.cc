#include "common/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "testing/log_output.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

class LoggingTest : public LogOutputTest {};

TEST_F(LoggingTest, OtherLinesKeepTheirFormat) {
  auto logging = Start(LogFormat::kJson);
  spdlog::warn("disk \"full\"");
  logging.reset();

  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  boost::json::object o = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(o.size(), 4u);
  EXPECT_TRUE(std::regex_match(std::string(o.at("ts").as_string()), kLogTimestamp)) << lines[0];
  EXPECT_EQ(o.at("level").as_string(), "warning");
  EXPECT_EQ(o.at("logger").as_string(), "thrad");
  EXPECT_EQ(o.at("msg").as_string(), "disk \"full\"");
}

TEST_F(LoggingTest, TextLinesHaveTheirControlCharactersBlanked) {
  auto logging = Start(LogFormat::kText);
  spdlog::error("bad\nline\x7f");
  logging.reset();

  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_GT(lines[0].size(), 24u);
  EXPECT_TRUE(std::regex_match(lines[0].substr(0, 24), kLogTimestamp)) << lines[0];
  EXPECT_EQ(lines[0].substr(24), " error thrad bad line ");
}

TEST_F(LoggingTest, AccessLinesAreWrittenWholeAndInOrder) {
  auto logging = Start(LogFormat::kJson);
  LogFlusher* lines = logging->access_lines();
  ASSERT_NE(lines, nullptr);
  lines->Append("first\n");
  lines->Append("second\n");
  logging.reset();  // well within the 200 ms flush interval
  EXPECT_EQ(Lines(), (std::vector<std::string>{"first", "second"}));
}

TEST_F(LoggingTest, NoAccessLinesAboveInfo) {
  auto logging = Logging::Start({.level = "warn", .output = out_});
  ASSERT_OK(logging);
  EXPECT_EQ((*logging)->access_lines(), nullptr);  // so the server writes no access line
  spdlog::info("an info line");
  logging->reset();
  EXPECT_TRUE(Lines().empty());
}

TEST_F(LoggingTest, NoAccessLinesWhenTheAccessLogIsOff) {
  auto logging = Logging::Start({.access_log = false, .output = out_});
  ASSERT_OK(logging);
  EXPECT_EQ((*logging)->access_lines(), nullptr);
}

TEST_F(LoggingTest, RejectsBadOptions) {
  EXPECT_FALSE(Logging::Start({.level = "loud", .output = out_}).ok());
  EXPECT_FALSE(Logging::Start({.queue_size = 0, .output = out_}).ok());
}

}  // namespace
}  // namespace thrad::test
