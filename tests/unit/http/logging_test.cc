#include "http/logging.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

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

}  // namespace
}  // namespace thrad
