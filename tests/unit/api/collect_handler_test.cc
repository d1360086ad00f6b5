#include "api/collect_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <string>
#include <utility>

#include "api_test_support.h"
#include "testing/status_matchers.h"

namespace thrad {
namespace {
namespace collect_handler_test {

using test::BodyAt;
using test::BodyRoot;
using test::ErrorAt;
using test::ErrorIs;
using test::ParseObject;
using test::Quote;
using test::Repeat;
using test::TestContext;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const char kE[] = "\xC3\xA9";              // é: 1 character, 2 bytes
const char kEmoji[] = "\xF0\x9F\x98\x80";  // 1 character, 4 bytes

Parsed<EventRecord> Collect(const std::string& body, const RequestContext& ctx = TestContext()) {
  return ParseCollect(body, ctx);
}

// A valid body with `extra` members added (text like R"("tag_id":"t")").
std::string With(std::string_view extra) {
  return std::string(R"({"event_name":"page_view")") + (extra.empty() ? "" : ",") +
         std::string(extra) + "}";
}

EventRecord Ok(const std::string& body, const RequestContext& ctx = TestContext()) {
  Parsed<EventRecord> p = Collect(body, ctx);
  EXPECT_THAT(p.errors, IsEmpty())
      << body << " first: " << (p.errors.empty() ? "" : p.errors[0].type + " " + p.errors[0].msg);
  return p.record;
}

std::vector<FieldError> Errors(const std::string& body) {
  Parsed<EventRecord> p = Collect(body);
  EXPECT_FALSE(p.ok()) << body;
  return p.errors;
}

TEST(ParseCollectTest, MinimalEvent) {
  EventRecord r = Ok(R"({"event_name":"page_view"})");
  EXPECT_EQ(r.event_name, "page_view");
  EXPECT_EQ(r.tag_id, "site:unknown");
  EXPECT_EQ(r.channel, "server");
  EXPECT_EQ(r.partner_id, "partner_1");
  EXPECT_EQ(r.key_id, "key_0123abcd");
  EXPECT_EQ(r.client_ip, "203.0.113.7");
  EXPECT_EQ(r.received_at, 1771524000'000000);
  EXPECT_EQ(r.event_id, std::nullopt);
  EXPECT_EQ(r.timestamp, 1771524000);  // absent: the receive time, in seconds
  EXPECT_EQ(r.view_time_ms, std::nullopt);
  EXPECT_EQ(r.consent_json, std::nullopt);
  EXPECT_EQ(r.page_url, std::nullopt);
  EXPECT_EQ(ParseObject(r.params_json),
            ParseObject(R"({"integration":"partner_s2s","partner_id":"partner_1",)"
                        R"("api_key_label":"Main server"})"));
}

TEST(ParseCollectTest, EveryFieldIsStored) {
  EventRecord r = Ok(R"({
    "event_name":"purchase","tag_id":"tag_9","event_id":"ev-1","timestamp":1771524000,
    "page_url":"https://shop.example/p","referrer":"https://search.example/","user_agent":"UA/1",
    "channel":"web","session_id":"s1","client_id":"c1","attribution_type":"click",
    "impression_id":"imp1","click_id":"clk_1","bid_id":"bid1","impression_state":"viewable",
    "view_time_ms":1500,"consent":{"gdpr":true,"tcf":"CPX"},"params":{"sku":"A-1","qty":2}})");
  EXPECT_EQ(r.event_name, "purchase");
  EXPECT_EQ(r.tag_id, "tag_9");
  EXPECT_EQ(r.event_id, "ev-1");
  EXPECT_EQ(r.timestamp, 1771524000);
  EXPECT_EQ(r.page_url, "https://shop.example/p");
  EXPECT_EQ(r.referrer, "https://search.example/");
  EXPECT_EQ(r.user_agent, "UA/1");
  EXPECT_EQ(r.channel, "server");
  EXPECT_EQ(r.session_id, "s1");
  EXPECT_EQ(r.client_id, "c1");
  EXPECT_EQ(r.attribution_type, "click");
  EXPECT_EQ(r.impression_id, "imp1");
  EXPECT_EQ(r.click_id, "clk_1");
  EXPECT_EQ(r.bid_id, "bid1");
  EXPECT_EQ(r.impression_state, "viewable");
  EXPECT_EQ(r.view_time_ms, 1500);
  ASSERT_TRUE(r.consent_json.has_value());
  EXPECT_EQ(ParseObject(*r.consent_json), ParseObject(R"({"gdpr":true,"tcf":"CPX"})"));
  EXPECT_EQ(ParseObject(r.params_json),
            ParseObject(R"({"sku":"A-1","qty":2,"integration":"partner_s2s",)"
                        R"("partner_id":"partner_1","api_key_label":"Main server"})"));
}

// --- event_name ---------------------------------------------------------------------------

TEST(ParseCollectTest, EventNameRequired) {
  EXPECT_THAT(Errors("{}"),
              ElementsAre(ErrorIs(BodyAt("event_name"), "missing", "Field required")));
  EXPECT_THAT(Errors(R"({"event_name":null})"),
              ElementsAre(ErrorAt(BodyAt("event_name"), "missing")));
}

TEST(ParseCollectTest, EventNameBlank) {
  for (const char* v : {R"("")", R"("   ")", R"("\t\n ")"}) {
    EXPECT_THAT(
        Errors(std::string(R"({"event_name":)") + v + "}"),
        ElementsAre(ErrorIs(BodyAt("event_name"), "string_blank", "String should not be blank")))
        << v;
  }
}

TEST(ParseCollectTest, EventNameIsTrimmed) {
  EXPECT_EQ(Ok(R"({"event_name":"  add_to_cart \n"})").event_name, "add_to_cart");
  EXPECT_EQ(Ok(R"({"event_name":"a b"})").event_name, "a b");
}

TEST(ParseCollectTest, EventNameWrongTypes) {
  for (const char* v : {"1", "true", "[]", "{}", "[\"page_view\"]", "1.5"}) {
    EXPECT_THAT(Errors(std::string(R"({"event_name":)") + v + "}"),
                ElementsAre(ErrorAt(BodyAt("event_name"), "string_type")))
        << v;
  }
}

TEST(ParseCollectTest, EventNameLimitIs128CodePoints) {
  for (const char* unit : {"a", kE, kEmoji}) {
    const std::string at = Repeat(unit, 128);
    EXPECT_EQ(Ok("{\"event_name\":" + Quote(at) + "}").event_name, at);
    EXPECT_THAT(Errors("{\"event_name\":" + Quote(at + unit) + "}"),
                ElementsAre(ErrorIs(BodyAt("event_name"), "string_too_long",
                                    "String should have at most 128 characters")));
  }
  // The limit applies to the trimmed value.
  EXPECT_EQ(Ok("{\"event_name\":" + Quote("  " + Repeat("a", 128) + "  ") + "}").event_name,
            Repeat("a", 128));
}

// --- optional string fields ---------------------------------------------------------------

struct StringField {
  const char* name;
  size_t max_chars;
  std::function<std::optional<std::string>(const EventRecord&)> get;
};

std::vector<StringField> OptionalStringFields() {
  return {
      {"tag_id", 256, [](const EventRecord& r) { return std::optional(r.tag_id); }},
      {"event_id", 256, [](const EventRecord& r) { return r.event_id; }},
      {"page_url", 2048, [](const EventRecord& r) { return r.page_url; }},
      {"referrer", 2048, [](const EventRecord& r) { return r.referrer; }},
      {"user_agent", 1024, [](const EventRecord& r) { return r.user_agent; }},
      {"session_id", 256, [](const EventRecord& r) { return r.session_id; }},
      {"client_id", 256, [](const EventRecord& r) { return r.client_id; }},
      {"attribution_type", 256, [](const EventRecord& r) { return r.attribution_type; }},
      {"impression_id", 256, [](const EventRecord& r) { return r.impression_id; }},
      {"click_id", 256, [](const EventRecord& r) { return r.click_id; }},
      {"bid_id", 256, [](const EventRecord& r) { return r.bid_id; }},
      {"impression_state", 256, [](const EventRecord& r) { return r.impression_state; }},
  };
}

TEST(ParseCollectTest, StringFieldLimitsInCodePoints) {
  for (const StringField& f : OptionalStringFields()) {
    for (const char* unit : {"a", kE, kEmoji}) {
      const std::string at = Repeat(unit, f.max_chars);
      EXPECT_EQ(f.get(Ok(With("\"" + std::string(f.name) + "\":" + Quote(at)))), at) << f.name;
      EXPECT_THAT(Errors(With("\"" + std::string(f.name) + "\":" + Quote(at + unit))),
                  ElementsAre(ErrorIs(
                      BodyAt(f.name), "string_too_long",
                      "String should have at most " + std::to_string(f.max_chars) + " characters")))
          << f.name;
    }
  }
}

TEST(ParseCollectTest, StringFieldWrongTypes) {
  for (const StringField& f : OptionalStringFields()) {
    for (const char* v : {"1", "0.5", "false", "[]", "{}"}) {
      EXPECT_THAT(
          Errors(With("\"" + std::string(f.name) + "\":" + v)),
          ElementsAre(ErrorIs(BodyAt(f.name), "string_type", "Input should be a valid string")))
          << f.name << "=" << v;
    }
  }
}

TEST(ParseCollectTest, NullMeansAbsentForEveryOptionalField) {
  EventRecord r =
      Ok(With(R"("tag_id":null,"event_id":null,"timestamp":null,"page_url":null,"referrer":null,)"
              R"("user_agent":null,"channel":null,"session_id":null,"client_id":null,)"
              R"("attribution_type":null,"impression_id":null,"click_id":null,"bid_id":null,)"
              R"("impression_state":null,"view_time_ms":null,"consent":null,"params":null)"));
  EXPECT_EQ(r.tag_id, "site:unknown");
  EXPECT_EQ(r.event_id, std::nullopt);
  EXPECT_EQ(r.timestamp, 1771524000);
  EXPECT_EQ(r.page_url, std::nullopt);
  EXPECT_EQ(r.referrer, std::nullopt);
  EXPECT_EQ(r.user_agent, std::nullopt);
  EXPECT_EQ(r.session_id, std::nullopt);
  EXPECT_EQ(r.client_id, std::nullopt);
  EXPECT_EQ(r.attribution_type, std::nullopt);
  EXPECT_EQ(r.impression_id, std::nullopt);
  EXPECT_EQ(r.click_id, std::nullopt);
  EXPECT_EQ(r.bid_id, std::nullopt);
  EXPECT_EQ(r.impression_state, std::nullopt);
  EXPECT_EQ(r.view_time_ms, std::nullopt);
  EXPECT_EQ(r.consent_json, std::nullopt);
  EXPECT_EQ(r.channel, "server");
  // null keys are known fields: nothing lands in params.extra.
  EXPECT_FALSE(ParseObject(r.params_json).contains("extra"));
}

TEST(ParseCollectTest, BlankEventIdCountsAsAbsent) {
  EXPECT_EQ(Ok(With(R"("event_id":"")")).event_id, std::nullopt);
  EXPECT_EQ(Ok(With(R"("event_id":"   ")")).event_id, std::nullopt);
  EXPECT_EQ(Ok(With(R"("event_id":" e1 ")")).event_id, " e1 ");
}

TEST(ParseCollectTest, OtherIdsAreStoredAsSent) {
  EXPECT_EQ(Ok(With(R"("session_id":"")")).session_id, "");
  EXPECT_EQ(Ok(With(R"("click_id":" c ")")).click_id, " c ");
}

// --- channel ------------------------------------------------------------------------------

TEST(ParseCollectTest, ChannelIsAcceptedAndStoredAsServer) {
  EXPECT_EQ(Ok(With(R"("channel":"web")")).channel, "server");
  EXPECT_EQ(Ok(With(R"("channel":"")")).channel, "server");
  EXPECT_EQ(Ok(With("\"channel\":" + Quote(Repeat("x", 5000)))).channel, "server");
  EXPECT_FALSE(ParseObject(Ok(With(R"("channel":"web")")).params_json).contains("extra"));
}

TEST(ParseCollectTest, ChannelMustBeAString) {
  for (const char* v : {"1", "true", "{}", "[]"}) {
    EXPECT_THAT(Errors(With(std::string("\"channel\":") + v)),
                ElementsAre(ErrorAt(BodyAt("channel"), "string_type")))
        << v;
  }
}

// --- integers -----------------------------------------------------------------------------

TEST(ParseCollectTest, TimestampValues) {
  EXPECT_EQ(Ok(With(R"("timestamp":0)")).timestamp, 0);
  EXPECT_EQ(Ok(With(R"("timestamp":1771524000)")).timestamp, 1771524000);
  // Up to 1 day past the receive time (2026-02-19T18:00:00Z): clock skew passes.
  EXPECT_EQ(Ok(With(R"("timestamp":1771610400)")).timestamp, 1771610400);
  EXPECT_EQ(Ok(With(R"("timestamp":-0)")).timestamp, 0);
  // A number whose exact value is whole is an integer.
  EXPECT_EQ(Ok(With(R"("timestamp":1.0)")).timestamp, 1);
  EXPECT_EQ(Ok(With(R"("timestamp":1771524000.000)")).timestamp, 1771524000);
  EXPECT_EQ(Ok(With(R"("timestamp":1.771524e9)")).timestamp, 1771524000);
}

TEST(ParseCollectTest, TimestampErrors) {
  EXPECT_THAT(Errors(With(R"("timestamp":-1)")),
              ElementsAre(ErrorIs(BodyAt("timestamp"), "greater_than_equal",
                                  "Input should be greater than or equal to 0")));
  EXPECT_THAT(
      Errors(With(R"("timestamp":1.5)")),
      ElementsAre(ErrorIs(BodyAt("timestamp"), "int_from_float",
                          "Input should be a valid integer, got a number with a fractional part")));
  EXPECT_THAT(Errors(With(R"("timestamp":1771524000.000001)")),
              ElementsAre(ErrorAt(BodyAt("timestamp"), "int_from_float")));
  for (const char* v : {R"("1771524000")", "true", "false", "[]", "{}", R"("")"}) {
    EXPECT_THAT(
        Errors(With(std::string("\"timestamp\":") + v)),
        ElementsAre(ErrorIs(BodyAt("timestamp"), "int_type", "Input should be a valid integer")))
        << v;
  }
  for (const char* v : {"9223372036854775808", "99999999999999999999999", "1e400"}) {
    EXPECT_THAT(Errors(With(std::string("\"timestamp\":") + v)),
                ElementsAre(ErrorIs(BodyAt("timestamp"), "less_than_equal",
                                    "Input should be less than or equal to 9223372036854775807")))
        << v;
  }
  EXPECT_THAT(Errors(With(R"("timestamp":-1e400)")),
              ElementsAre(ErrorAt(BodyAt("timestamp"), "greater_than_equal")));
}

TEST(ParseCollectTest, TimestampMoreThanADayAheadIsRefusedNamingTheLikelyUnit) {
  // The receive time is 2026-02-19T18:00:00Z = 1771524000 s.
  const std::string future = "Input should be at most 1 day in the future";
  const std::pair<std::string, std::string> cases[] = {
      {"1771610401", future},
      {"1771524000123", future + "; it looks like milliseconds, send Unix seconds"},
      {"1771524000123456", future + "; it looks like microseconds, send Unix seconds"},
      {"1771524000123456789", future + "; it looks like nanoseconds, send Unix seconds"},
      {"9223372036854775807", future},
  };
  for (const auto& [value, msg] : cases) {
    EXPECT_THAT(Errors(With("\"timestamp\":" + value)),
                ElementsAre(ErrorIs(BodyAt("timestamp"), "timestamp_in_future", msg)))
        << value;
  }
}

TEST(ParseCollectTest, ViewTimeMs) {
  EXPECT_EQ(Ok(With(R"("view_time_ms":0)")).view_time_ms, 0);
  EXPECT_EQ(Ok(With(R"("view_time_ms":2500)")).view_time_ms, 2500);
  EXPECT_EQ(Ok(With(R"("view_time_ms":2.5e3)")).view_time_ms, 2500);
  EXPECT_THAT(Errors(With(R"("view_time_ms":-5)")),
              ElementsAre(ErrorAt(BodyAt("view_time_ms"), "greater_than_equal")));
  EXPECT_THAT(Errors(With(R"("view_time_ms":0.5)")),
              ElementsAre(ErrorAt(BodyAt("view_time_ms"), "int_from_float")));
  EXPECT_THAT(Errors(With(R"("view_time_ms":"10")")),
              ElementsAre(ErrorAt(BodyAt("view_time_ms"), "int_type")));
  EXPECT_THAT(Errors(With(R"("view_time_ms":true)")),
              ElementsAre(ErrorAt(BodyAt("view_time_ms"), "int_type")));
  EXPECT_THAT(Errors(With(R"("view_time_ms":1e19)")),
              ElementsAre(ErrorAt(BodyAt("view_time_ms"), "less_than_equal")));
}

// --- consent and params -------------------------------------------------------------------

TEST(ParseCollectTest, ConsentIsStoredAsGiven) {
  EventRecord r = Ok(With(R"("consent":{"ad_storage":"granted","n":[1,{"x":null}]})"));
  ASSERT_TRUE(r.consent_json.has_value());
  EXPECT_EQ(ParseObject(*r.consent_json),
            ParseObject(R"({"ad_storage":"granted","n":[1,{"x":null}]})"));
  EXPECT_EQ(Ok(With(R"("consent":{})")).consent_json, "{}");
}

TEST(ParseCollectTest, ConsentAndParamsMustBeObjects) {
  for (const char* field : {"consent", "params"}) {
    for (const char* v : {"[]", "\"x\"", "1", "true", "[{}]"}) {
      EXPECT_THAT(
          Errors(With("\"" + std::string(field) + "\":" + v)),
          ElementsAre(ErrorIs(BodyAt(field), "dict_type", "Input should be a valid dictionary")))
          << field << "=" << v;
    }
  }
}

TEST(ParseCollectTest, ConsentAndParamsMustHoldFiniteNumbers) {
  EXPECT_THAT(
      Errors(With(R"("consent":{"a":[1e400]})")),
      ElementsAre(ErrorIs(BodyAt("consent"), "finite_number", "Input should be a finite number")));
  EXPECT_THAT(Errors(With(R"("params":{"a":{"b":-1e999}})")),
              ElementsAre(ErrorAt(BodyAt("params"), "finite_number")));
  EXPECT_EQ(ParseObject(Ok(With(R"("params":{"a":1e308})")).params_json).at("a").as_double(),
            1e308);
}

TEST(ParseCollectTest, StampingOverridesClientValues) {
  EventRecord r = Ok(With(R"("params":{"integration":"mine","partner_id":"other",)"
                          R"("api_key_label":"forged","keep":"me"})"));
  EXPECT_EQ(ParseObject(r.params_json),
            ParseObject(R"({"integration":"partner_s2s","partner_id":"partner_1",)"
                        R"("api_key_label":"Main server","keep":"me"})"));
}

TEST(ParseCollectTest, StampUsesTheContext) {
  RequestContext ctx = TestContext();
  ctx.partner_id = "p\"2";
  ctx.key_label = "Label \xC3\xA9";
  const boost::json::object params = ParseObject(Ok(With(""), ctx).params_json);
  EXPECT_EQ(params.at("partner_id").as_string(), "p\"2");
  EXPECT_EQ(params.at("api_key_label").as_string(), "Label \xC3\xA9");
  EXPECT_EQ(params.at("integration").as_string(), "partner_s2s");
}

TEST(ParseCollectTest, ClientParamsExtraIsSanitizedToo) {
  Parsed<EventRecord> p = Collect(With(R"("params":{"extra":{"any key!":[1,2,3],"ok":1}})"));
  ASSERT_OK(p);
  EXPECT_EQ(ParseObject(p.record.params_json).at("extra"), boost::json::parse(R"({"ok":1})"));
  EXPECT_EQ(p.sanitize.dropped_keys, 1);
}

TEST(ParseCollectTest, UnknownKeysMergeOverClientParamsExtra) {
  Parsed<EventRecord> p =
      Collect(With(R"("params":{"extra":{"old":1},"k":"v"},"utm_source":"news","bad key":1)"));
  ASSERT_OK(p);
  const boost::json::object params = ParseObject(p.record.params_json);
  EXPECT_EQ(params.at("extra"), boost::json::parse(R"({"old":1,"utm_source":"news"})"));
  EXPECT_EQ(params.at("k").as_string(), "v");
  EXPECT_EQ(p.sanitize.dropped_keys, 1);
}

TEST(ParseCollectTest, UnknownKeysAreSanitizedIntoParamsExtra) {
  Parsed<EventRecord> p =
      Collect(With(R"("utm_campaign":"spring\u0000","cart":{"items":[{"sku":"A","opts":{"c":1}}]},)"
                   R"("n":1.25,"flag":true,"nothing":null)"));
  ASSERT_OK(p);
  const boost::json::object params = ParseObject(p.record.params_json);
  EXPECT_EQ(params.at("extra"),
            boost::json::parse(R"({"utm_campaign":"spring","cart":{"items":[{}]},)"
                               R"("n":1.25,"flag":true,"nothing":null})"));
  EXPECT_EQ(params.at("integration").as_string(), "partner_s2s");
  EXPECT_EQ(p.sanitize.cleaned_strings, 1);
  EXPECT_EQ(p.sanitize.dropped_values, 2);  // cart.items[0] is depth 3: "sku" and "opts" go
}

TEST(ParseCollectTest, UnknownKeyWithInfinityIsDroppedNotAnError) {
  Parsed<EventRecord> p = Collect(With(R"("huge":1e400,"fine":1)"));
  ASSERT_OK(p);
  EXPECT_EQ(ParseObject(p.record.params_json).at("extra"), boost::json::parse(R"({"fine":1})"));
  EXPECT_EQ(p.sanitize.dropped_values, 1);
}

// --- tag_id -------------------------------------------------------------------------------

TEST(ParseCollectTest, GivenTagIdIsKept) {
  EXPECT_EQ(Ok(With(R"("tag_id":"tag_123","page_url":"https://x.example/")")).tag_id, "tag_123");
}

TEST(ParseCollectTest, TagIdFromPageUrl) {
  RequestContext ctx = TestContext();
  ctx.origin = "https://origin.example";
  ctx.referer = "https://referer.example/";
  EXPECT_EQ(Ok(With(R"("page_url":"https://Shop.Example:8443/p?q=1")"), ctx).tag_id,
            "site:shop.example");
}

TEST(ParseCollectTest, TagIdFromOrigin) {
  RequestContext ctx = TestContext();
  ctx.origin = "https://origin.example";
  ctx.referer = "https://referer.example/";
  EXPECT_EQ(Ok(With(""), ctx).tag_id, "site:origin.example");
  EXPECT_EQ(Ok(With(R"("page_url":"not a url")"), ctx).tag_id, "site:origin.example");
}

TEST(ParseCollectTest, TagIdFromReferer) {
  RequestContext ctx = TestContext();
  ctx.origin = "null";
  ctx.referer = "http://referer.example./a";
  EXPECT_EQ(Ok(With(R"("page_url":"ftp://files.example/")"), ctx).tag_id, "site:referer.example");
}

TEST(ParseCollectTest, TagIdUnknown) {
  RequestContext ctx = TestContext();
  ctx.referer = "/relative";
  EXPECT_EQ(Ok(With(R"("page_url":"")"), ctx).tag_id, "site:unknown");
}

TEST(ParseCollectTest, BlankTagIdIsDerived) {
  for (const char* v : {R"("")", R"("   ")", "null"}) {
    EXPECT_EQ(
        Ok(With(std::string("\"tag_id\":") + v + R"(,"page_url":"https://a.example/")")).tag_id,
        "site:a.example")
        << v;
  }
}

// --- several problems, bodies -------------------------------------------------------------

TEST(ParseCollectTest, EveryProblemIsListedInTableOrder) {
  EXPECT_THAT(
      Errors(R"({"view_time_ms":-1,"params":[],"event_name":"  ","tag_id":5,)"
             R"("timestamp":"now","consent":"yes","user_agent":true,"channel":0})"),
      ElementsAre(
          ErrorAt(BodyAt("event_name"), "string_blank"), ErrorAt(BodyAt("tag_id"), "string_type"),
          ErrorAt(BodyAt("timestamp"), "int_type"), ErrorAt(BodyAt("user_agent"), "string_type"),
          ErrorAt(BodyAt("channel"), "string_type"),
          ErrorAt(BodyAt("view_time_ms"), "greater_than_equal"),
          ErrorAt(BodyAt("consent"), "dict_type"), ErrorAt(BodyAt("params"), "dict_type")));
}

TEST(ParseCollectTest, MissingEventNameIsListedWithOtherErrors) {
  EXPECT_THAT(Errors(R"({"timestamp":1.5})"),
              ElementsAre(ErrorAt(BodyAt("event_name"), "missing"),
                          ErrorAt(BodyAt("timestamp"), "int_from_float")));
}

TEST(ParseCollectTest, BodyThatIsNotAnObject) {
  EXPECT_THAT(Errors(""), ElementsAre(ErrorAt(BodyRoot(), "json_invalid")));
  EXPECT_THAT(Errors("{\"event_name\":"), ElementsAre(ErrorAt(BodyRoot(), "json_invalid")));
  EXPECT_THAT(
      Errors(R"([{"event_name":"x"}])"),
      ElementsAre(ErrorIs(BodyRoot(), "model_attributes_type", "Body must be a JSON object")));
  EXPECT_THAT(Errors("\"event\""), ElementsAre(ErrorAt(BodyRoot(), "model_attributes_type")));
  EXPECT_THAT(Errors("null"), ElementsAre(ErrorAt(BodyRoot(), "model_attributes_type")));
  EXPECT_THAT(Errors("{\"event_name\":\"\xFF\"}"),
              ElementsAre(ErrorAt(BodyRoot(), "json_invalid")));
  EXPECT_THAT(Errors(R"({"event_name":"x"} {"event_name":"y"})"),
              ElementsAre(ErrorAt(BodyRoot(), "json_invalid")));
}

TEST(ParseCollectTest, DeeplyNestedBody) {
  EXPECT_THAT(Errors(With("\"x\":" + std::string(10000, '['))),
              ElementsAre(ErrorAt(BodyRoot(), "json_invalid")));
  EXPECT_THAT(Errors(With("\"x\":" + Repeat("{\"a\":", 10000))),
              ElementsAre(ErrorAt(BodyRoot(), "json_invalid")));
}

TEST(ParseCollectTest, DuplicateKeysLastWins) {
  EXPECT_EQ(Ok(R"({"event_name":"first","event_name":"second"})").event_name, "second");
  EXPECT_EQ(Ok(R"({"event_name":"x","timestamp":"bad","timestamp":5})").timestamp, 5);
  EXPECT_THAT(Errors(R"({"event_name":"x","timestamp":5,"timestamp":"bad"})"),
              ElementsAre(ErrorAt(BodyAt("timestamp"), "int_type")));
}

}  // namespace collect_handler_test
}  // namespace
}  // namespace thrad

namespace thrad {
namespace {
namespace collect_handler_test {

TEST(ParseCollectTest, ClientParamsExtraIsSanitizedAndMergedWithUnknownFields) {
  Parsed<EventRecord> p =
      ParseCollect(R"({"event_name":"e","params":{"step":"s","extra":{"ok":"a\u0001b","bad key":1,)"
                   R"("clash":"client"}},"clash":"top","more":2})",
                   TestContext());
  ASSERT_OK(p);
  EXPECT_EQ(ParseObject(p.record.params_json),
            ParseObject(R"({"step":"s","extra":{"ok":"ab","clash":"top","more":2},)"
                        R"("integration":"partner_s2s","partner_id":"partner_1",)"
                        R"("api_key_label":"Main server"})"));
  EXPECT_EQ(p.sanitize.dropped_keys, 1);
}

TEST(ParseCollectTest, NonObjectClientParamsExtraIsDropped) {
  Parsed<EventRecord> p =
      ParseCollect(R"({"event_name":"e","params":{"extra":"text"}})", TestContext());
  ASSERT_OK(p);
  EXPECT_FALSE(ParseObject(p.record.params_json).contains("extra"));
  EXPECT_EQ(p.sanitize.dropped_values, 1);
}

}  // namespace collect_handler_test
}  // namespace
}  // namespace thrad
