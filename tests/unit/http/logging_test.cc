#include "http/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <stdio.h>

#include <boost/json.hpp>
#include <cstdio>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testing/status_matchers.h"

namespace thrad {
namespace {

AccessLogEntry Entry() {
  AccessLogEntry e;
  e.request_id = "req-1";
  e.method = "POST";
  e.route = "collect";
  e.status = 204;
  e.duration = std::chrono::microseconds(1234);
  e.partner_id = "partner-a";
  e.key_id = "key_0123";
  e.peer_ip = "127.0.0.1";
  e.bytes_in = 42;
  e.bytes_out = 0;
  return e;
}

TEST(AccessLogTest, JsonFieldsParseAsOneObject) {
  const std::string fields = FormatAccessFields(Entry(), LogFormat::kJson);
  boost::json::object o = boost::json::parse("{" + fields + "}").as_object();
  EXPECT_EQ(o.at("request_id").as_string(), "req-1");
  EXPECT_EQ(o.at("method").as_string(), "POST");
  EXPECT_EQ(o.at("route").as_string(), "collect");
  EXPECT_EQ(o.at("status").as_int64(), 204);
  EXPECT_DOUBLE_EQ(o.at("duration_ms").as_double(), 1.234);
  EXPECT_EQ(o.at("partner_id").as_string(), "partner-a");
  EXPECT_EQ(o.at("key_id").as_string(), "key_0123");
  EXPECT_EQ(o.at("peer_ip").as_string(), "127.0.0.1");
  EXPECT_EQ(o.at("bytes_in").as_int64(), 42);
  EXPECT_EQ(o.at("bytes_out").as_int64(), 0);
}

TEST(AccessLogTest, UnauthenticatedIsNullAndStringsAreEscaped) {
  AccessLogEntry e = Entry();
  e.partner_id = {};
  e.key_id = {};
  e.request_id = "a\"b\\c\n\x01";
  const std::string fields = FormatAccessFields(e, LogFormat::kJson);
  EXPECT_EQ(fields.find('\n'), std::string::npos);
  boost::json::object o = boost::json::parse("{" + fields + "}").as_object();
  EXPECT_TRUE(o.at("partner_id").is_null());
  EXPECT_TRUE(o.at("key_id").is_null());
  EXPECT_EQ(o.at("request_id").as_string(), "a\"b\\c\n\x01");
}

TEST(AccessLogTest, TextIsKeyValuePairs) {
  AccessLogEntry e = Entry();
  e.key_id = {};
  const std::string line = FormatAccessFields(e, LogFormat::kText);
  EXPECT_EQ(line,
            "request_id=req-1 method=POST route=collect status=204 duration_ms=1.234 "
            "partner_id=partner-a key_id=- peer_ip=127.0.0.1 bytes_in=42 bytes_out=0");
  e.partner_id = "has space";
  EXPECT_NE(FormatAccessFields(e, LogFormat::kText).find("partner_id=\"has space\""),
            std::string::npos);
}

TEST(AccessLogTest, ParsesFormats) {
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
}

// Logging into a temporary file instead of stdout.
class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = std::tmpfile();
    ASSERT_NE(out_, nullptr);
  }
  void TearDown() override {
    // The default logger Logging leaves behind writes to out_: replace it before closing out_.
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
    std::fclose(out_);
  }

  std::unique_ptr<Logging> Start(LogFormat format, size_t queue_size = 8192) {
    auto logging = Logging::Start({.format = format, .queue_size = queue_size, .output = out_});
    EXPECT_OK(logging);
    return std::move(*logging);
  }

  // Every line written so far (call once the Logging is gone).
  std::vector<std::string> Lines() {
    std::fflush(out_);
    std::rewind(out_);
    std::string text;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof(buf), out_)) > 0;) text.append(buf, n);
    EXPECT_TRUE(text.empty() || text.back() == '\n');
    std::vector<std::string> lines;
    for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos;
         start = end + 1) {
      lines.push_back(text.substr(start, end - start));
    }
    return lines;
  }

  std::FILE* out_ = nullptr;
};

const std::regex kTimestamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");

TEST_F(LoggingTest, JsonAccessLineIsTheFieldsInTheLineFormat) {
  const AccessLogEntry entry = Entry();
  auto logging = Start(LogFormat::kJson);
  ASSERT_NE(logging->access_log(), nullptr);
  logging->access_log()->Write(entry);
  logging.reset();

  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines[0];
  const std::string head = R"({"ts":")";
  const std::string tail = R"(","level":"info","logger":"access","msg":"request",)" +
                           FormatAccessFields(entry, LogFormat::kJson) + "}";
  ASSERT_EQ(line.size(), head.size() + 24 + tail.size()) << line;
  EXPECT_EQ(line.substr(0, head.size()), head);
  EXPECT_TRUE(std::regex_match(line.substr(head.size(), 24), kTimestamp)) << line;
  EXPECT_EQ(line.substr(head.size() + 24), tail);

  boost::json::object o = boost::json::parse(line).as_object();
  EXPECT_EQ(o.size(), 14u);
  EXPECT_EQ(o.at("level").as_string(), "info");
  EXPECT_EQ(o.at("logger").as_string(), "access");
  EXPECT_EQ(o.at("msg").as_string(), "request");
  EXPECT_EQ(o.at("request_id").as_string(), "req-1");
  EXPECT_EQ(o.at("status").as_int64(), 204);
  EXPECT_DOUBLE_EQ(o.at("duration_ms").as_double(), 1.234);
  EXPECT_EQ(o.at("key_id").as_string(), "key_0123");
  EXPECT_EQ(o.at("bytes_in").as_int64(), 42);
}

TEST_F(LoggingTest, TextAccessLineIsTheFieldsInTheLineFormat) {
  auto logging = Start(LogFormat::kText);
  logging->access_log()->Write(Entry());
  logging.reset();

  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string tail = " info access " + FormatAccessFields(Entry(), LogFormat::kText);
  ASSERT_EQ(lines[0].size(), 24 + tail.size()) << lines[0];
  EXPECT_TRUE(std::regex_match(lines[0].substr(0, 24), kTimestamp)) << lines[0];
  EXPECT_EQ(lines[0].substr(24), tail);
}

TEST_F(LoggingTest, OtherLinesKeepTheirFormat) {
  auto logging = Start(LogFormat::kJson);
  spdlog::warn("disk \"full\"");
  logging.reset();

  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  boost::json::object o = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(o.size(), 4u);
  EXPECT_TRUE(std::regex_match(std::string(o.at("ts").as_string()), kTimestamp)) << lines[0];
  EXPECT_EQ(o.at("level").as_string(), "warning");
  EXPECT_EQ(o.at("logger").as_string(), "thrad");
  EXPECT_EQ(o.at("msg").as_string(), "disk \"full\"");
}

TEST_F(LoggingTest, LinesFromManyThreadsArriveWholeAndNoneIsLost) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;  // ~600 KB: well under the 4 MiB of the default queue
  auto logging = Start(LogFormat::kJson);
  AccessLog* log = logging->access_log();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([log, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        AccessLogEntry e = Entry();
        e.request_id = id;
        log->Write(e);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(logging->dropped(), 0u);
  logging.reset();

  std::set<std::string> ids;
  for (const std::string& line : Lines()) {
    boost::json::object o = boost::json::parse(line).as_object();  // throws if not whole
    EXPECT_EQ(o.at("route").as_string(), "collect");
    EXPECT_EQ(o.at("bytes_out").as_int64(), 0);
    EXPECT_TRUE(ids.insert(std::string(o.at("request_id").as_string())).second);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_F(LoggingTest, LinesPastTheBoundAreDroppedAndCounted) {
  constexpr int kLines = 100;
  auto logging = Start(LogFormat::kJson, /*queue_size=*/1);  // 512 bytes: two lines fit
  // Holding the file's lock stalls output as a full pipe would: the flusher can take at most
  // one buffer before it blocks.
  flockfile(out_);
  for (int i = 0; i < kLines; ++i) logging->access_log()->Write(Entry());
  const uint64_t dropped = logging->dropped();
  funlockfile(out_);
  logging.reset();

  EXPECT_GE(dropped, static_cast<uint64_t>(kLines - 4));
  EXPECT_EQ(Lines().size() + dropped, static_cast<size_t>(kLines));
}

TEST_F(LoggingTest, PendingLinesAreWrittenAtDestruction) {
  auto logging = Start(LogFormat::kJson);
  for (int i = 0; i < 3; ++i) logging->access_log()->Write(Entry());
  logging.reset();  // well within the 200 ms flush interval
  EXPECT_EQ(Lines().size(), 3u);
}

TEST_F(LoggingTest, NoAccessLinesAboveInfo) {
  auto logging = Logging::Start({.level = "warn", .output = out_});
  ASSERT_OK(logging);
  EXPECT_EQ((*logging)->access_log(), nullptr);  // so the server writes no access line
  spdlog::info("an info line");
  logging->reset();
  EXPECT_TRUE(Lines().empty());
}

TEST_F(LoggingTest, RejectsBadOptions) {
  EXPECT_FALSE(Logging::Start({.level = "loud", .output = out_}).ok());
  EXPECT_FALSE(Logging::Start({.queue_size = 0, .output = out_}).ok());
}

}  // namespace
}  // namespace thrad
