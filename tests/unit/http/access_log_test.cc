#include "http/access_log.h"

#include <gtest/gtest.h>
#include <stdio.h>

#include <boost/json.hpp>
#include <cstdio>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/logging.h"
#include "testing/log_output.h"

namespace thrad::test {
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

TEST(AccessLogTest, ErrorDetailsAreDetailLocAndTypeOnly) {
  AccessLogEntry e = Entry();
  e.status = 422;
  e.error_body = R"({"detail":"Validation error","errors":[
      {"loc":["body","events",2,"event_name"],"msg":"Field required","type":"missing"},
      {"loc":["query","validate_only"],"msg":"Input should be a valid boolean","type":"bool_parsing"}],
      "request_id":"req-1"})";
  boost::json::object o =
      boost::json::parse("{" + FormatAccessFields(e, LogFormat::kJson) + "}").as_object();
  EXPECT_EQ(o.at("detail").as_string(), "Validation error");
  EXPECT_EQ(o.at("errors"), boost::json::parse(R"([
      {"loc":["body","events",2,"event_name"],"type":"missing"},
      {"loc":["query","validate_only"],"type":"bool_parsing"}])"));
  const std::string text = FormatAccessFields(e, LogFormat::kText);
  EXPECT_TRUE(
      text.ends_with(" bytes_out=0 detail=\"Validation error\" "
                     "errors=body.events.2.event_name:missing,query.validate_only:bool_parsing"))
      << text;
  EXPECT_EQ(text.find("msg"), std::string::npos);

  e.status = 401;
  e.error_body = R"({"detail":"Invalid API key","request_id":"req-1"})";
  o = boost::json::parse("{" + FormatAccessFields(e, LogFormat::kJson) + "}").as_object();
  EXPECT_EQ(o.at("detail").as_string(), "Invalid API key");
  EXPECT_FALSE(o.contains("errors"));
  EXPECT_TRUE(FormatAccessFields(e, LogFormat::kText).ends_with(R"( detail="Invalid API key")"));
  // Not an error body: nothing added.
  AccessLogEntry plain = e;
  plain.error_body = {};
  for (std::string_view body : {"not json", R"({"status":"ok"})", "[]"}) {
    e.error_body = body;
    for (LogFormat f : {LogFormat::kJson, LogFormat::kText}) {
      EXPECT_EQ(FormatAccessFields(e, f), FormatAccessFields(plain, f)) << body;
    }
  }
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

// An access log writing through the process's Logging into a temporary file.
class AccessLogLinesTest : public LogOutputTest {
 protected:
  AccessLog* StartAccessLog(LogFormat format, size_t queue_size = 8192) {
    logging_ = Start(format, queue_size);
    LogFlusher* lines = logging_->access_lines();
    EXPECT_NE(lines, nullptr);
    access_log_ = std::make_unique<AccessLog>(format, lines);
    return access_log_.get();
  }
  // Writes out every line still waiting, as the server does when it stops.
  void Stop() {
    access_log_.reset();
    logging_.reset();
  }

  std::unique_ptr<Logging> logging_;
  std::unique_ptr<AccessLog> access_log_;
};

TEST_F(AccessLogLinesTest, JsonAccessLineIsTheFieldsInTheLineFormat) {
  const AccessLogEntry entry = Entry();
  StartAccessLog(LogFormat::kJson)->Write(entry);
  Stop();

  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines[0];
  const std::string head = R"({"ts":")";
  const std::string tail = R"(","level":"info","logger":"access","msg":"request",)" +
                           FormatAccessFields(entry, LogFormat::kJson) + "}";
  ASSERT_EQ(line.size(), head.size() + 24 + tail.size()) << line;
  EXPECT_EQ(line.substr(0, head.size()), head);
  EXPECT_TRUE(std::regex_match(line.substr(head.size(), 24), kLogTimestamp)) << line;
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

TEST_F(AccessLogLinesTest, TextAccessLineIsTheFieldsInTheLineFormat) {
  StartAccessLog(LogFormat::kText)->Write(Entry());
  Stop();

  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string tail = " info access " + FormatAccessFields(Entry(), LogFormat::kText);
  ASSERT_EQ(lines[0].size(), 24 + tail.size()) << lines[0];
  EXPECT_TRUE(std::regex_match(lines[0].substr(0, 24), kLogTimestamp)) << lines[0];
  EXPECT_EQ(lines[0].substr(24), tail);
}

TEST_F(AccessLogLinesTest, LinesFromManyThreadsArriveWholeAndNoneIsLost) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;  // ~600 KB: well under the 4 MiB of the default queue
  AccessLog* log = StartAccessLog(LogFormat::kJson);
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
  EXPECT_EQ(logging_->dropped(), 0u);
  Stop();

  std::set<std::string> ids;
  for (const std::string& line : Lines()) {
    boost::json::object o = boost::json::parse(line).as_object();  // throws if not whole
    EXPECT_EQ(o.at("route").as_string(), "collect");
    EXPECT_EQ(o.at("bytes_out").as_int64(), 0);
    EXPECT_TRUE(ids.insert(std::string(o.at("request_id").as_string())).second);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_F(AccessLogLinesTest, LinesPastTheBoundAreDroppedAndCounted) {
  constexpr int kLines = 100;
  AccessLog* log = StartAccessLog(LogFormat::kJson, /*queue_size=*/1);  // 512 bytes: two fit
  // Holding the file's lock stalls output as a full pipe would: the flusher can take at most
  // one buffer before it blocks.
  flockfile(out_);
  for (int i = 0; i < kLines; ++i) log->Write(Entry());
  const uint64_t dropped = logging_->dropped();
  funlockfile(out_);
  Stop();

  EXPECT_GE(dropped, static_cast<uint64_t>(kLines - 4));
  EXPECT_EQ(Lines().size() + dropped, static_cast<size_t>(kLines));
}

TEST_F(AccessLogLinesTest, PendingLinesAreWrittenAtDestruction) {
  AccessLog* log = StartAccessLog(LogFormat::kJson);
  for (int i = 0; i < 3; ++i) log->Write(Entry());
  Stop();  // well within the 200 ms flush interval
  EXPECT_EQ(Lines().size(), 3u);
}

}  // namespace
}  // namespace thrad::test
