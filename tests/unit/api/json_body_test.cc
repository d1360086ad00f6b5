#include "api/json_body.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <cmath>
#include <string>

#include "api_test_support.h"
#include "testing/status_matchers.h"

namespace thrad {
namespace {

using test::BodyRoot;
using test::ErrorAt;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The one error of a body that must be refused.
FieldError OnlyError(std::string_view body) {
  Parsed<JsonBody> p = ParseJsonObjectBody(body);
  EXPECT_FALSE(p.ok()) << body;
  EXPECT_EQ(p.errors.size(), 1u) << body;
  return p.errors.empty() ? FieldError{} : p.errors.front();
}

JsonBody Ok(std::string_view body) {
  Parsed<JsonBody> p = ParseJsonObjectBody(body);
  EXPECT_OK(p) << body << ": " << (p.errors.empty() ? "" : p.errors[0].msg);
  return std::move(p.record);
}

TEST(ParseJsonObjectBodyTest, ParsesAnObject) {
  JsonBody b = Ok(R"({"a":"x","b":[1,2],"c":{"d":null},"e":true})");
  EXPECT_EQ(boost::json::serialize(b.object), R"({"a":"x","b":[1,2],"c":{"d":null},"e":true})");
}

TEST(ParseJsonObjectBodyTest, WhitespaceAroundIsFine) {
  JsonBody b = Ok(" \r\n\t{ \"a\" : 1 } \n");
  EXPECT_EQ(b.object.at("a").as_int64(), 1);
}

TEST(ParseJsonObjectBodyTest, EmptyObject) { EXPECT_TRUE(Ok("{}").object.empty()); }

TEST(ParseJsonObjectBodyTest, EmptyBody) {
  FieldError e = OnlyError("");
  EXPECT_EQ(e.loc, BodyRoot());
  EXPECT_EQ(e.type, "json_invalid");
  EXPECT_EQ(e.msg, "Invalid JSON: the body is empty");
  EXPECT_EQ(OnlyError("  \n\t").type, "json_invalid");
}

TEST(ParseJsonObjectBodyTest, NotAnObject) {
  for (const char* body : {"[]", "[1,2]", "\"text\"", "42", "-1.5", "true", "false", "null"}) {
    FieldError e = OnlyError(body);
    EXPECT_EQ(e.loc, BodyRoot()) << body;
    EXPECT_EQ(e.type, "model_attributes_type") << body;
    EXPECT_EQ(e.msg, "Body must be a JSON object") << body;
  }
}

TEST(ParseJsonObjectBodyTest, MalformedJson) {
  for (const char* body : {"{", "{\"a\":}", "{\"a\" 1}", "{'a':1}", "{a:1}", "{\"a\":1,}",
                           "{\"a\":[1,]}", "{\"a\":01}", "{\"a\":.5}", "{\"a\":1.}", "{\"a\":+1}",
                           "{\"a\":\"\t\"}", "{\"a\":\"\\x41\"}", "{\"a\":tru}",
                           "{\"a\":1 /* c */}", "{\"a\":1} // c", "\xEF\xBB\xBF{}"}) {
    FieldError e = OnlyError(body);
    EXPECT_EQ(e.loc, BodyRoot()) << body;
    EXPECT_EQ(e.type, "json_invalid") << body;
    EXPECT_THAT(e.msg, HasSubstr("Invalid JSON: ")) << body;
  }
}

TEST(ParseJsonObjectBodyTest, NanAndInfinityAreNotJson) {
  for (const char* body :
       {"{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":nan}", "{\"a\":inf}"}) {
    EXPECT_EQ(OnlyError(body).type, "json_invalid") << body;
  }
}

TEST(ParseJsonObjectBodyTest, TrailingData) {
  for (const char* body : {"{} {}", "{\"a\":1}x", "{}]", "{}\"", "{}0"}) {
    FieldError e = OnlyError(body);
    EXPECT_EQ(e.type, "json_invalid") << body;
    EXPECT_THAT(e.msg, HasSubstr("unexpected data after the JSON value")) << body;
  }
}

TEST(ParseJsonObjectBodyTest, TruncatedBody) {
  FieldError e = OnlyError("{\"a\":[1,2");
  EXPECT_EQ(e.type, "json_invalid");
  EXPECT_EQ(e.msg, "Invalid JSON: unexpected end of the body");
}

TEST(ParseJsonObjectBodyTest, InvalidUtf8) {
  for (std::string body : {std::string("{\"a\":\"\xFF\"}"), std::string("{\"a\":\"\xC3\"}"),
                           std::string("{\"\xC0\xAF\":1}"),              // overlong '/'
                           std::string("{\"a\":\"\xED\xA0\x80\"}"),      // UTF-16 surrogate
                           std::string("{\"a\":\"\xF4\x90\x80\x80\"}"),  // above U+10FFFF
                           std::string("{\"a\":1}\x80")}) {
    FieldError e = OnlyError(body);
    EXPECT_EQ(e.type, "json_invalid");
    EXPECT_EQ(e.msg, "Invalid JSON: the body is not valid UTF-8");
  }
}

TEST(ParseJsonObjectBodyTest, LoneSurrogateEscapeIsInvalid) {
  EXPECT_EQ(OnlyError(R"({"a":"\ud800"})").type, "json_invalid");
  EXPECT_EQ(OnlyError(R"({"a":"\udc00x"})").type, "json_invalid");
}

TEST(ParseJsonObjectBodyTest, ValidUnicodeAndEscapes) {
  JsonBody b = Ok(R"({"a":"caf\u00e9 \ud83d\ude00","b":"h\u00e9\n","\u00e9":1})");
  EXPECT_EQ(b.object.at("a").as_string(), "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(b.object.at("b").as_string(), "h\xC3\xA9\n");
  EXPECT_TRUE(b.object.contains("\xC3\xA9"));
  EXPECT_EQ(*b.RawNumber("\xC3\xA9"), "1");
}

std::string Nested(std::string_view open, std::string_view close, size_t levels) {
  std::string s;
  for (size_t i = 0; i < levels; ++i) s.append(open);
  s.append("1");
  for (size_t i = 0; i < levels; ++i) s.append(close);
  return s;
}

TEST(ParseJsonObjectBodyTest, DepthLimitIsExactly64Levels) {
  // The top-level object is level 1.
  EXPECT_OK(ParseJsonObjectBody("{\"a\":" + Nested("[", "]", 63) + "}"));
  FieldError e = OnlyError("{\"a\":" + Nested("[", "]", 64) + "}");
  EXPECT_EQ(e.type, "json_invalid");
  EXPECT_EQ(e.msg, "Invalid JSON: nested deeper than 64 levels");
  EXPECT_OK(ParseJsonObjectBody(Nested("{\"a\":", "}", 64)));
  EXPECT_EQ(OnlyError(Nested("{\"a\":", "}", 65)).msg,
            "Invalid JSON: nested deeper than 64 levels");
}

TEST(ParseJsonObjectBodyTest, VeryDeepInputFailsWithoutOverflow) {
  // Unclosed and closed, arrays and objects: never a stack overflow, always one error.
  std::string arrays(10000, '[');
  EXPECT_EQ(OnlyError(arrays).msg, "Invalid JSON: nested deeper than 64 levels");
  EXPECT_EQ(OnlyError(Nested("[", "]", 10000)).msg, "Invalid JSON: nested deeper than 64 levels");
  EXPECT_EQ(OnlyError(Nested("{\"a\":", "}", 10000)).msg,
            "Invalid JSON: nested deeper than 64 levels");
  EXPECT_EQ(OnlyError(test::Repeat("{\"a\":", 10000)).msg,
            "Invalid JSON: nested deeper than 64 levels");
}

TEST(ParseJsonObjectBodyTest, DuplicateKeysLastValueWinsAtFirstPosition) {
  JsonBody b = Ok(R"({"a":1,"b":2,"a":3})");
  EXPECT_EQ(boost::json::serialize(b.object), R"({"a":3,"b":2})");
  EXPECT_EQ(*b.RawNumber("a"), "3");
}

TEST(ParseJsonObjectBodyTest, DuplicateKeyRawNumberFollowsTheLastValue) {
  JsonBody b = Ok(R"({"v":1.5,"v":"x"})");
  EXPECT_EQ(b.object.at("v").as_string(), "x");
  EXPECT_EQ(b.RawNumber("v"), nullptr);
  EXPECT_EQ(b.raw_numbers.count("v"), 0u);

  JsonBody c = Ok(R"({"v":"x","v":2.50})");
  EXPECT_EQ(*c.RawNumber("v"), "2.50");
  JsonBody d = Ok(R"({"v":7,"v":{"w":1}})");
  EXPECT_EQ(d.RawNumber("v"), nullptr);
  EXPECT_EQ(d.raw_numbers.count("v"), 0u);
}

TEST(ParseJsonObjectBodyTest, RawNumbersKeepTheSourceText) {
  JsonBody b = Ok(R"({"a":999999999999.999999,"b":4.999e1,"c":1E+3,"d":-0,"e":0.0000005,)"
                  R"("f":99999999999999999999999,"g":1e400,"h":42,"i":18446744073709551615})");
  EXPECT_EQ(*b.RawNumber("a"), "999999999999.999999");
  EXPECT_EQ(*b.RawNumber("b"), "4.999e1");
  EXPECT_EQ(*b.RawNumber("c"), "1E+3");
  EXPECT_EQ(*b.RawNumber("d"), "-0");
  EXPECT_EQ(*b.RawNumber("e"), "0.0000005");
  EXPECT_EQ(*b.RawNumber("f"), "99999999999999999999999");
  EXPECT_EQ(*b.RawNumber("g"), "1e400");
  EXPECT_EQ(*b.RawNumber("h"), "42");
  EXPECT_EQ(*b.RawNumber("i"), "18446744073709551615");
  EXPECT_TRUE(std::isinf(b.object.at("g").as_double()));
  EXPECT_EQ(b.object.at("i").as_uint64(), 18446744073709551615u);
}

TEST(ParseJsonObjectBodyTest, RawNumbersOnlyForDirectMembers) {
  JsonBody b = Ok(R"({"a":{"x":1.25},"b":[2.5],"x":3,"c":{"a":9}})");
  EXPECT_EQ(b.raw_numbers.size(), 1u);
  EXPECT_EQ(*b.RawNumber("x"), "3");
  EXPECT_EQ(b.RawNumber("a"), nullptr);
  EXPECT_EQ(b.RawNumber("b"), nullptr);
  EXPECT_EQ(b.RawNumber("missing"), nullptr);
}

TEST(ParseJsonObjectBodyTest, RawNumberKeysWithEscapes) {
  JsonBody b = Ok(R"({"a\"b":1.10,"\u0076":2.20})");
  EXPECT_EQ(*b.RawNumber("a\"b"), "1.10");
  EXPECT_EQ(*b.RawNumber("v"), "2.20");
}

TEST(ParseJsonObjectBodyTest, NotAnObjectHasNoRawNumbers) {
  EXPECT_EQ(OnlyError("[1,2]").type, "model_attributes_type");
}

TEST(HasNonFiniteNumberTest, FindsInfinityAtAnyDepth) {
  JsonBody b = Ok(R"({"ok":{"a":[1,2.5,{"b":-3}]},"bad":{"a":[1,{"b":[1e400]}]},"neg":-1e999})");
  EXPECT_FALSE(HasNonFiniteNumber(b.object.at("ok")));
  EXPECT_TRUE(HasNonFiniteNumber(b.object.at("bad")));
  EXPECT_TRUE(HasNonFiniteNumber(b.object.at("neg")));
  EXPECT_TRUE(HasNonFiniteNumber(boost::json::value(b.object)));
  EXPECT_FALSE(HasNonFiniteNumber(boost::json::value("1e400")));
}

}  // namespace
}  // namespace thrad
