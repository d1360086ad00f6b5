#include "api/conversion_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <functional>
#include <string>

#include "api/idempotency_key.h"
#include "api_test_support.h"
#include "testing/status_matchers.h"

namespace thrad {
namespace {
namespace conversion_handler_test {

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
constexpr int64_t kT = 1771524000'000000;  // 2026-02-19T18:00:00Z

constexpr std::string_view kRequired =
    R"("click_id":"clk_abc","conversion_time":"2026-02-19T18:00:00Z",)"
    R"("conversion_value":49.99,"currency":"USD")";

// A valid body with `extra` members added after the required ones.
std::string With(std::string_view extra) {
  return "{" + std::string(kRequired) + (extra.empty() ? "" : ",") + std::string(extra) + "}";
}

// A body of the required fields with `field` replaced by `value` (or removed when empty).
std::string Replace(std::string_view field, std::string_view value) {
  boost::json::object o = ParseObject("{" + std::string(kRequired) + "}");
  o.erase(field);
  std::string body = boost::json::serialize(o);
  if (!value.empty()) {
    body.pop_back();
    body += ",\"" + std::string(field) + "\":" + std::string(value) + "}";
  }
  return body;
}

Parsed<ConversionRecord> Convert(const std::string& body,
                                 std::optional<std::string_view> key = std::nullopt,
                                 const RequestContext& ctx = TestContext()) {
  return ParseConversion(body, key, ctx);
}

ConversionRecord Ok(const std::string& body, std::optional<std::string_view> key = std::nullopt,
                    const RequestContext& ctx = TestContext()) {
  Parsed<ConversionRecord> p = Convert(body, key, ctx);
  EXPECT_THAT(p.errors, IsEmpty())
      << body << " first: " << (p.errors.empty() ? "" : p.errors[0].type + " " + p.errors[0].msg);
  return p.record;
}

std::vector<FieldError> Errors(const std::string& body,
                               std::optional<std::string_view> key = std::nullopt) {
  Parsed<ConversionRecord> p = Convert(body, key);
  EXPECT_FALSE(p.ok()) << body;
  return p.errors;
}

int64_t ValueMicros(std::string_view number) {
  return Ok(Replace("conversion_value", number)).value_micros;
}

TEST(ParseConversionTest, MinimalConversion) {
  ConversionRecord r = Ok(With(""));
  EXPECT_EQ(r.click_id, "clk_abc");
  EXPECT_EQ(r.conversion_time, kT);
  EXPECT_EQ(r.value_micros, 49'990'000);
  EXPECT_EQ(r.currency, "USD");
  EXPECT_EQ(r.event_type, "purchase_completed");
  EXPECT_EQ(r.order_id, std::nullopt);
  EXPECT_EQ(r.event_id, std::nullopt);
  EXPECT_EQ(r.tag_id, std::nullopt);
  EXPECT_EQ(r.dedup_key, std::nullopt);
  EXPECT_EQ(r.dedup_source, DedupSource::kNone);
  EXPECT_EQ(r.partner_id, "partner_1");
  EXPECT_EQ(r.key_id, "key_0123abcd");
  EXPECT_EQ(r.client_ip, "203.0.113.7");
  EXPECT_EQ(r.received_at, kT);
  EXPECT_EQ(r.bid_id, std::nullopt);
  EXPECT_EQ(r.campaign_id, std::nullopt);
  EXPECT_EQ(ParseObject(r.params_json),
            ParseObject(R"({"integration":"partner_s2s","partner_id":"partner_1",)"
                        R"("api_key_label":"Main server","extra":{}})"));
}

TEST(ParseConversionTest, EveryFieldIsStored) {
  ConversionRecord r = Ok(R"({"click_id":"8e03978e-40d5-43e8-bc93-6894a57f9324",
      "conversion_time":"2026-02-19 20:00:00.25+02:00","conversion_value":1E+3,"currency":"eur",
      "event_type":"signup","order_id":"o-1","event_id":"e-1","tag_id":"t-1","session_id":"s-1",
      "client_id":"c-1","page_url":"https://shop.example/thanks","referrer":"https://r.example/",
      "user_agent":"UA/2"})");
  EXPECT_EQ(r.click_id, "8e03978e-40d5-43e8-bc93-6894a57f9324");
  EXPECT_EQ(r.conversion_time, kT + 250000);
  EXPECT_EQ(r.value_micros, 1'000'000'000);
  EXPECT_EQ(r.currency, "EUR");
  EXPECT_EQ(r.event_type, "signup");
  EXPECT_EQ(r.order_id, "o-1");
  EXPECT_EQ(r.event_id, "e-1");
  EXPECT_EQ(r.tag_id, "t-1");
  EXPECT_EQ(r.session_id, "s-1");
  EXPECT_EQ(r.client_id, "c-1");
  EXPECT_EQ(r.page_url, "https://shop.example/thanks");
  EXPECT_EQ(r.referrer, "https://r.example/");
  EXPECT_EQ(r.user_agent, "UA/2");
  EXPECT_EQ(r.dedup_key, "e-1");
  EXPECT_EQ(r.dedup_source, DedupSource::kEventId);
}

TEST(ParseConversionTest, AllRequiredFieldsMissing) {
  EXPECT_THAT(Errors("{}"),
              ElementsAre(ErrorIs(BodyAt("click_id"), "missing", "Field required"),
                          ErrorIs(BodyAt("conversion_time"), "missing", "Field required"),
                          ErrorIs(BodyAt("conversion_value"), "missing", "Field required"),
                          ErrorIs(BodyAt("currency"), "missing", "Field required")));
}

TEST(ParseConversionTest, NullRequiredFieldsAreMissing) {
  for (const char* field : {"click_id", "conversion_time", "conversion_value", "currency"}) {
    EXPECT_THAT(Errors(Replace(field, "null")), ElementsAre(ErrorAt(BodyAt(field), "missing")))
        << field;
  }
}

// --- click_id -----------------------------------------------------------------------------

TEST(ParseConversionTest, ClickIdForms) {
  EXPECT_EQ(Ok(Replace("click_id", R"("clk_01HZY")")).click_id, "clk_01HZY");
  EXPECT_EQ(Ok(Replace("click_id", R"("8E03978E-40D5-43E8-BC93-6894A57F9324")")).click_id,
            "8E03978E-40D5-43E8-BC93-6894A57F9324");
  EXPECT_EQ(Ok(Replace("click_id", R"("any opaque id")")).click_id, "any opaque id");
}

TEST(ParseConversionTest, ClickIdBlankAndTypes) {
  EXPECT_THAT(Errors(Replace("click_id", R"("")")),
              ElementsAre(ErrorAt(BodyAt("click_id"), "string_blank")));
  EXPECT_THAT(Errors(Replace("click_id", R"(" \t ")")),
              ElementsAre(ErrorAt(BodyAt("click_id"), "string_blank")));
  for (const char* v : {"123", "true", "[]", "{}"}) {
    EXPECT_THAT(Errors(Replace("click_id", v)),
                ElementsAre(ErrorAt(BodyAt("click_id"), "string_type")))
        << v;
  }
}

TEST(ParseConversionTest, ClickIdLimitIs256CodePoints) {
  for (const char* unit : {"a", kE, kEmoji}) {
    const std::string at = Repeat(unit, 256);
    EXPECT_EQ(Ok(Replace("click_id", Quote(at))).click_id, at);
    EXPECT_THAT(Errors(Replace("click_id", Quote(at + unit))),
                ElementsAre(ErrorIs(BodyAt("click_id"), "string_too_long",
                                    "String should have at most 256 characters")));
  }
}

// --- conversion_time ----------------------------------------------------------------------

TEST(ParseConversionTest, ConversionTimeIsNormalizedToUtc) {
  EXPECT_EQ(Ok(Replace("conversion_time", R"("2026-02-19T18:00:00")")).conversion_time, kT);
  EXPECT_EQ(Ok(Replace("conversion_time", R"("2026-02-19 18:00:00Z")")).conversion_time, kT);
  EXPECT_EQ(Ok(Replace("conversion_time", R"("2026-02-19T13:00:00-05:00")")).conversion_time, kT);
  EXPECT_EQ(
      Ok(Replace("conversion_time", R"("2026-02-20T03:00:00.123456789+09:00")")).conversion_time,
      kT + 123456);
  EXPECT_EQ(Ok(Replace("conversion_time", R"("2024-02-29T00:00:00Z")")).conversion_time,
            1709164800'000000);
}

TEST(ParseConversionTest, ConversionTimeInvalid) {
  EXPECT_THAT(Errors(Replace("conversion_time", R"("2026-02-30T18:00:00Z")")),
              ElementsAre(ErrorIs(BodyAt("conversion_time"), "datetime_parsing",
                                  "Input should be a valid datetime, invalid day for the month")));
  for (const char* v :
       {R"("2026-02-19")", R"("yesterday")", R"("")", R"("2026-02-19T25:00:00Z")",
        R"("2026-02-19T18:00:00+24:00")", R"("1771524000")", R"("2026-02-19T18:00:00Z ")"}) {
    EXPECT_THAT(Errors(Replace("conversion_time", v)),
                ElementsAre(ErrorAt(BodyAt("conversion_time"), "datetime_parsing")))
        << v;
  }
}

TEST(ParseConversionTest, ConversionTimeMoreThanADayAheadIsRefused) {
  // The receive time is 2026-02-19T18:00:00Z: a day later is still fine (clock skew).
  EXPECT_EQ(Ok(Replace("conversion_time", R"("2026-02-20T18:00:00Z")")).conversion_time,
            kT + 86'400'000'000);
  for (const char* v : {R"("2026-02-20T18:00:00.000001Z")", R"("9999-12-31T23:59:59Z")"}) {
    EXPECT_THAT(Errors(Replace("conversion_time", v)),
                ElementsAre(ErrorIs(BodyAt("conversion_time"), "timestamp_in_future",
                                    "Input should be at most 1 day in the future")))
        << v;
  }
}

TEST(ParseConversionTest, ConversionTimeMustBeAString) {
  for (const char* v : {"1771524000", "true", "{}", "[]"}) {
    EXPECT_THAT(Errors(Replace("conversion_time", v)),
                ElementsAre(ErrorAt(BodyAt("conversion_time"), "string_type")))
        << v;
  }
}

// --- conversion_value ---------------------------------------------------------------------

TEST(ParseConversionTest, ValueIsExact) {
  EXPECT_EQ(ValueMicros("0"), 0);
  EXPECT_EQ(ValueMicros("50"), 50'000'000);
  EXPECT_EQ(ValueMicros("49.99"), 49'990'000);
  EXPECT_EQ(ValueMicros("999999999999.999999"), 999'999'999'999'999'999);
  EXPECT_EQ(ValueMicros("1000000000000"), 1'000'000'000'000'000'000);
  EXPECT_EQ(ValueMicros("1e12"), 1'000'000'000'000'000'000);
  EXPECT_EQ(ValueMicros("4.999e1"), 49'990'000);
  EXPECT_EQ(ValueMicros("1E+3"), 1'000'000'000);
  EXPECT_EQ(ValueMicros("-0"), 0);
  EXPECT_EQ(ValueMicros("-0.0"), 0);
  EXPECT_EQ(ValueMicros("0.000001"), 1);
}

TEST(ParseConversionTest, ValueRoundsHalfUpPastSixDecimals) {
  EXPECT_EQ(ValueMicros("0.0000005"), 1);
  EXPECT_EQ(ValueMicros("0.0000004"), 0);
  EXPECT_EQ(ValueMicros("19.9999995"), 20'000'000);
  EXPECT_EQ(ValueMicros("1.2345665"), 1'234'567);
}

TEST(ParseConversionTest, ValueRange) {
  EXPECT_THAT(Errors(Replace("conversion_value", "-0.01")),
              ElementsAre(ErrorIs(BodyAt("conversion_value"), "greater_than_equal",
                                  "Input should be greater than or equal to 0")));
  EXPECT_THAT(Errors(Replace("conversion_value", "-0.0000001")),
              ElementsAre(ErrorAt(BodyAt("conversion_value"), "greater_than_equal")));
  for (const char* v : {"1000000000000.000001", "1000000000000.0000001", "1e13", "1e400",
                        "99999999999999999999999", "1.7976931348623157e308"}) {
    EXPECT_THAT(Errors(Replace("conversion_value", v)),
                ElementsAre(ErrorIs(BodyAt("conversion_value"), "less_than_equal",
                                    "Input should be less than or equal to 1000000000000")))
        << v;
  }
  EXPECT_THAT(Errors(Replace("conversion_value", "-1e400")),
              ElementsAre(ErrorAt(BodyAt("conversion_value"), "greater_than_equal")));
}

TEST(ParseConversionTest, ValueMustBeAJsonNumber) {
  for (const char* v : {R"("49.99")", R"("")", "true", "false", "[]", "{}", "[1]"}) {
    EXPECT_THAT(Errors(Replace("conversion_value", v)),
                ElementsAre(ErrorIs(BodyAt("conversion_value"), "float_type",
                                    "Input should be a valid number")))
        << v;
  }
}

TEST(ParseConversionTest, DuplicateValueKeyUsesTheLastExactText) {
  ConversionRecord r = Ok(R"({"click_id":"c","conversion_time":"2026-02-19T18:00:00Z",)"
                          R"("currency":"USD","conversion_value":1,)"
                          R"("conversion_value":999999999999.999999})");
  EXPECT_EQ(r.value_micros, 999'999'999'999'999'999);
  EXPECT_THAT(Errors(R"({"click_id":"c","conversion_time":"2026-02-19T18:00:00Z",)"
                     R"("currency":"USD","conversion_value":1,"conversion_value":"1"})"),
              ElementsAre(ErrorAt(BodyAt("conversion_value"), "float_type")));
}

// --- currency -----------------------------------------------------------------------------

TEST(ParseConversionTest, CurrencyIsUpperCased) {
  EXPECT_EQ(Ok(Replace("currency", R"("usd")")).currency, "USD");
  EXPECT_EQ(Ok(Replace("currency", R"("Jpy")")).currency, "JPY");
  EXPECT_EQ(Ok(Replace("currency", R"("XAU")")).currency, "XAU");
  EXPECT_EQ(Ok(Replace("currency", R"("usn")")).currency, "USN");
}

TEST(ParseConversionTest, UnknownCurrency) {
  for (const char* v : {R"("XTS")", R"("XXX")", R"("ABC")", R"("")", R"("US")", R"("USDT")",
                        R"(" USD")", R"("BTC")", R"("HRK")"}) {
    EXPECT_THAT(Errors(Replace("currency", v)),
                ElementsAre(ErrorIs(BodyAt("currency"), "value_error",
                                    "Value error, not an active ISO 4217 currency code")))
        << v;
  }
  EXPECT_THAT(Errors(Replace("currency", "\"" + Repeat("U", 5000) + "\"")),
              ElementsAre(ErrorAt(BodyAt("currency"), "value_error")));
}

TEST(ParseConversionTest, CurrencyMustBeAString) {
  for (const char* v : {"840", "true", "[\"USD\"]", "{}"}) {
    EXPECT_THAT(Errors(Replace("currency", v)),
                ElementsAre(ErrorAt(BodyAt("currency"), "string_type")))
        << v;
  }
}

// --- event_type ---------------------------------------------------------------------------

TEST(ParseConversionTest, EventTypeDefaultAndTrim) {
  EXPECT_EQ(Ok(With("")).event_type, "purchase_completed");
  EXPECT_EQ(Ok(With(R"("event_type":null)")).event_type, "purchase_completed");
  EXPECT_EQ(Ok(With(R"("event_type":"  refund ")")).event_type, "refund");
}

TEST(ParseConversionTest, EventTypeRules) {
  EXPECT_THAT(Errors(With(R"("event_type":"")")),
              ElementsAre(ErrorAt(BodyAt("event_type"), "string_blank")));
  EXPECT_THAT(Errors(With(R"("event_type":"   ")")),
              ElementsAre(ErrorAt(BodyAt("event_type"), "string_blank")));
  EXPECT_THAT(Errors(With(R"("event_type":7)")),
              ElementsAre(ErrorAt(BodyAt("event_type"), "string_type")));
  for (const char* unit : {"a", kE, kEmoji}) {
    const std::string at = Repeat(unit, 64);
    EXPECT_EQ(Ok(With("\"event_type\":" + Quote(at))).event_type, at);
    EXPECT_THAT(Errors(With("\"event_type\":" + Quote(at + unit))),
                ElementsAre(ErrorIs(BodyAt("event_type"), "string_too_long",
                                    "String should have at most 64 characters")));
  }
}

// --- optional string fields ---------------------------------------------------------------

struct StringField {
  const char* name;
  size_t max_chars;
  std::function<std::optional<std::string>(const ConversionRecord&)> get;
};

std::vector<StringField> OptionalStringFields() {
  return {
      {"order_id", 256, [](const ConversionRecord& r) { return r.order_id; }},
      {"event_id", 256, [](const ConversionRecord& r) { return r.event_id; }},
      {"tag_id", 256, [](const ConversionRecord& r) { return r.tag_id; }},
      {"session_id", 256, [](const ConversionRecord& r) { return r.session_id; }},
      {"client_id", 256, [](const ConversionRecord& r) { return r.client_id; }},
      {"page_url", 2048, [](const ConversionRecord& r) { return r.page_url; }},
      {"referrer", 2048, [](const ConversionRecord& r) { return r.referrer; }},
      {"user_agent", 1024, [](const ConversionRecord& r) { return r.user_agent; }},
  };
}

TEST(ParseConversionTest, StringFieldLimitsInCodePoints) {
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

TEST(ParseConversionTest, StringFieldWrongTypesAndNull) {
  for (const StringField& f : OptionalStringFields()) {
    for (const char* v : {"1", "2.5", "true", "[]", "{}"}) {
      EXPECT_THAT(
          Errors(With("\"" + std::string(f.name) + "\":" + v)),
          ElementsAre(ErrorIs(BodyAt(f.name), "string_type", "Input should be a valid string")))
          << f.name << "=" << v;
    }
    EXPECT_EQ(f.get(Ok(With("\"" + std::string(f.name) + "\":null"))), std::nullopt) << f.name;
  }
}

TEST(ParseConversionTest, BlankOrderAndEventIdsCountAsAbsent) {
  ConversionRecord r = Ok(With(R"("order_id":"  ","event_id":"")"));
  EXPECT_EQ(r.order_id, std::nullopt);
  EXPECT_EQ(r.event_id, std::nullopt);
  EXPECT_EQ(r.dedup_source, DedupSource::kNone);
}

// --- Idempotency-Key and dedup ------------------------------------------------------------

TEST(ParseConversionTest, DedupKeyPrecedence) {
  ConversionRecord h = Ok(With(R"("event_id":"e","order_id":"o")"), "key-1");
  EXPECT_EQ(h.dedup_key, "key-1");
  EXPECT_EQ(h.dedup_source, DedupSource::kHeader);
  EXPECT_EQ(h.event_id, "e");
  EXPECT_EQ(h.order_id, "o");

  ConversionRecord e = Ok(With(R"("event_id":"e","order_id":"o")"));
  EXPECT_EQ(e.dedup_key, "e");
  EXPECT_EQ(e.dedup_source, DedupSource::kEventId);

  ConversionRecord o = Ok(With(R"("order_id":"o")"));
  EXPECT_EQ(o.dedup_key, "o");
  EXPECT_EQ(o.dedup_source, DedupSource::kOrderId);

  ConversionRecord blank_event = Ok(With(R"("event_id":" ","order_id":"o")"));
  EXPECT_EQ(blank_event.dedup_key, "o");
  EXPECT_EQ(blank_event.dedup_source, DedupSource::kOrderId);

  ConversionRecord none = Ok(With(""));
  EXPECT_EQ(none.dedup_key, std::nullopt);
  EXPECT_EQ(none.dedup_source, DedupSource::kNone);
}

TEST(ParseConversionTest, QuotedIdempotencyKeyIsUnquoted) {
  ConversionRecord r = Ok(With(""), R"("ab\"c")");
  EXPECT_EQ(r.dedup_key, R"(ab"c)");
  EXPECT_EQ(r.dedup_source, DedupSource::kHeader);
}

TEST(ParseConversionTest, IdempotencyKeyLimits) {
  EXPECT_EQ(Ok(With(""), Repeat("k", 255)).dedup_key, Repeat("k", 255));
  EXPECT_THAT(Errors(With(""), Repeat("k", 256)),
              ElementsAre(ErrorIs(IdempotencyKeyLoc(), "string_too_long",
                                  "String should have at most 255 characters")));
  EXPECT_THAT(Errors(With(""), ""), ElementsAre(ErrorAt(IdempotencyKeyLoc(), "string_too_short")));
  EXPECT_THAT(Errors(With(""), "caf\xC3\xA9"),
              ElementsAre(ErrorAt(IdempotencyKeyLoc(), "string_pattern_mismatch")));
  EXPECT_THAT(Errors(With(""), R"("open)"),
              ElementsAre(ErrorAt(IdempotencyKeyLoc(), "value_error")));
}

TEST(ParseConversionTest, HeaderErrorIsListedWithBodyErrors) {
  EXPECT_THAT(Errors(Replace("currency", R"("ABC")"), ""),
              ElementsAre(ErrorAt(IdempotencyKeyLoc(), "string_too_short"),
                          ErrorAt(BodyAt("currency"), "value_error")));
  EXPECT_THAT(Errors("[]", Repeat("k", 300)),
              ElementsAre(ErrorAt(IdempotencyKeyLoc(), "string_too_long"),
                          ErrorAt(BodyRoot(), "model_attributes_type")));
}

// --- params and extras --------------------------------------------------------------------

TEST(ParseConversionTest, UnknownKeysGoToParamsExtra) {
  Parsed<ConversionRecord> p = Convert(
      With(R"("params":{"integration":"forged","deep":{"a":{"b":{"c":1}}}},"utm":"x\u0007",)"
           R"("bad key":1,"coupon":"SPRING")"));
  ASSERT_OK(p);
  EXPECT_EQ(ParseObject(p.record.params_json),
            ParseObject(R"({"integration":"partner_s2s","partner_id":"partner_1",)"
                        R"("api_key_label":"Main server","extra":{)"
                        R"("params":{"integration":"forged","deep":{"a":{}}},)"
                        R"("utm":"x","coupon":"SPRING"}})"));
  EXPECT_EQ(p.sanitize.dropped_keys, 1);
  EXPECT_EQ(p.sanitize.dropped_values, 1);
  EXPECT_EQ(p.sanitize.cleaned_strings, 1);
}

TEST(ParseConversionTest, ParamsStampComesFromTheContext) {
  RequestContext ctx = TestContext();
  ctx.partner_id = "acme";
  ctx.key_label = "acme prod";
  const boost::json::object params = ParseObject(Ok(With(""), std::nullopt, ctx).params_json);
  EXPECT_EQ(params.at("partner_id").as_string(), "acme");
  EXPECT_EQ(params.at("api_key_label").as_string(), "acme prod");
  EXPECT_EQ(params.size(), 4u);
}

TEST(ParseConversionTest, NullKnownFieldsDoNotReachExtra) {
  const boost::json::object params =
      ParseObject(Ok(With(R"("order_id":null,"tag_id":null,"event_type":null)")).params_json);
  EXPECT_TRUE(params.at("extra").as_object().empty());
}

// --- signed landing parameters (thrad_exp, thrad_sig) ------------------------------------

constexpr std::string_view kSig = "v1.sk_test.4_zvQx127wD_8vbooTWEgvVlI2FRy6tb0lkmYtWJCiE";

TEST(ParseConversionTest, LandingParamsAreCarriedForTheHttpLayerAndNeverStored) {
  ConversionRecord r = Ok(With(R"("thrad_exp":1798761600,"thrad_sig":)" + Quote(kSig)));
  EXPECT_EQ(r.landing_exp, 1798761600);
  EXPECT_EQ(r.landing_sig, kSig);
  EXPECT_EQ(ParseObject(r.params_json),
            ParseObject(R"({"integration":"partner_s2s","partner_id":"partner_1",)"
                        R"("api_key_label":"Main server","extra":{}})"));
}

TEST(ParseConversionTest, LandingParamsAreOptional) {
  ConversionRecord r = Ok(With(""));
  EXPECT_EQ(r.landing_exp, std::nullopt);
  EXPECT_EQ(r.landing_sig, std::nullopt);
  r = Ok(With(R"("thrad_exp":null,"thrad_sig":null)"));
  EXPECT_EQ(r.landing_exp, std::nullopt);
  EXPECT_EQ(r.landing_sig, std::nullopt);
  EXPECT_TRUE(ParseObject(r.params_json).at("extra").as_object().empty());
}

TEST(ParseConversionTest, LandingParamsComeBothOrNeither) {
  EXPECT_THAT(Errors(With(R"("thrad_exp":1798761600)")),
              ElementsAre(ErrorIs(BodyAt("thrad_sig"), "missing", "Field required")));
  EXPECT_THAT(Errors(With(R"("thrad_sig":"v1.k.s")")),
              ElementsAre(ErrorIs(BodyAt("thrad_exp"), "missing", "Field required")));
  EXPECT_THAT(Errors(With(R"("thrad_sig":"v1.k.s","thrad_exp":null)")),
              ElementsAre(ErrorAt(BodyAt("thrad_exp"), "missing")));
  // The one sent is still checked.
  EXPECT_THAT(Errors(With(R"("thrad_exp":"1798761600")")),
              ElementsAre(ErrorAt(BodyAt("thrad_sig"), "missing"),
                          ErrorAt(BodyAt("thrad_exp"), "int_type")));
}

TEST(ParseConversionTest, ThradExpIsAnInteger) {
  auto exp_error = [](std::string_view value) {
    return Errors(With(R"("thrad_sig":"v1.k.s","thrad_exp":)" + std::string(value)));
  };
  EXPECT_THAT(exp_error(R"("1798761600")"), ElementsAre(ErrorAt(BodyAt("thrad_exp"), "int_type")));
  EXPECT_THAT(exp_error("true"), ElementsAre(ErrorAt(BodyAt("thrad_exp"), "int_type")));
  EXPECT_THAT(exp_error("[1]"), ElementsAre(ErrorAt(BodyAt("thrad_exp"), "int_type")));
  EXPECT_THAT(exp_error("1798761600.5"),
              ElementsAre(ErrorIs(BodyAt("thrad_exp"), "int_from_float",
                                  "Input should be a valid integer, got a number with a "
                                  "fractional part")));
  EXPECT_THAT(exp_error("-1"), ElementsAre(ErrorAt(BodyAt("thrad_exp"), "greater_than_equal")));
  EXPECT_THAT(exp_error("1e19"), ElementsAre(ErrorAt(BodyAt("thrad_exp"), "less_than_equal")));
  EXPECT_EQ(Ok(With(R"("thrad_sig":"v1.k.s","thrad_exp":1.7987616e9)")).landing_exp, 1798761600);
  EXPECT_EQ(Ok(With(R"("thrad_sig":"v1.k.s","thrad_exp":0)")).landing_exp, 0);
}

TEST(ParseConversionTest, ThradSigIsAStringOfAtMost128Characters) {
  auto sig_error = [](std::string_view value) {
    return Errors(With(R"("thrad_exp":1798761600,"thrad_sig":)" + std::string(value)));
  };
  EXPECT_THAT(sig_error("7"), ElementsAre(ErrorAt(BodyAt("thrad_sig"), "string_type")));
  EXPECT_THAT(sig_error("{}"), ElementsAre(ErrorAt(BodyAt("thrad_sig"), "string_type")));
  EXPECT_THAT(sig_error(Quote(Repeat("s", 129))),
              ElementsAre(ErrorIs(BodyAt("thrad_sig"), "string_too_long",
                                  "String should have at most 128 characters")));
  EXPECT_EQ(Ok(With(R"("thrad_exp":1,"thrad_sig":)" + Quote(Repeat(kE, 128)))).landing_sig,
            Repeat(kE, 128));
}

TEST(ParseConversionTest, LandingParamErrorsComeAfterTheOtherFields) {
  EXPECT_THAT(Errors(R"({"thrad_sig":5,"user_agent":1,"click_id":"c",)"
                     R"("conversion_time":"2026-02-19T18:00:00Z","conversion_value":1,)"
                     R"("currency":"USD","thrad_exp":1.5})"),
              ElementsAre(ErrorAt(BodyAt("user_agent"), "string_type"),
                          ErrorAt(BodyAt("thrad_exp"), "int_from_float"),
                          ErrorAt(BodyAt("thrad_sig"), "string_type")));
}

// --- several problems, bodies -------------------------------------------------------------

TEST(ParseConversionTest, EveryProblemIsListedInTableOrder) {
  EXPECT_THAT(Errors(R"({"user_agent":1,"currency":"usdx","conversion_value":"9","click_id":" ",)"
                     R"("conversion_time":"2026-13-01T00:00:00Z","event_type":"","order_id":[],)"
                     R"("page_url":false})",
                     "\x01"),
              ElementsAre(ErrorAt(IdempotencyKeyLoc(), "string_pattern_mismatch"),
                          ErrorAt(BodyAt("click_id"), "string_blank"),
                          ErrorIs(BodyAt("conversion_time"), "datetime_parsing",
                                  "Input should be a valid datetime, invalid month"),
                          ErrorAt(BodyAt("conversion_value"), "float_type"),
                          ErrorAt(BodyAt("currency"), "value_error"),
                          ErrorAt(BodyAt("event_type"), "string_blank"),
                          ErrorAt(BodyAt("order_id"), "string_type"),
                          ErrorAt(BodyAt("page_url"), "string_type"),
                          ErrorAt(BodyAt("user_agent"), "string_type")));
}

TEST(ParseConversionTest, BodyThatIsNotAnObject) {
  EXPECT_THAT(Errors(""), ElementsAre(ErrorAt(BodyRoot(), "json_invalid")));
  EXPECT_THAT(Errors("[1]"), ElementsAre(ErrorAt(BodyRoot(), "model_attributes_type")));
  EXPECT_THAT(Errors("42"), ElementsAre(ErrorAt(BodyRoot(), "model_attributes_type")));
  EXPECT_THAT(Errors(With(R"("x":NaN)")), ElementsAre(ErrorAt(BodyRoot(), "json_invalid")));
  EXPECT_THAT(Errors(With("\"x\":\"\xC3\x28\"")), ElementsAre(ErrorAt(BodyRoot(), "json_invalid")));
  EXPECT_THAT(Errors(With("\"x\":" + std::string(10000, '['))),
              ElementsAre(ErrorAt(BodyRoot(), "json_invalid")));
  EXPECT_THAT(Errors(With("\"x\":" + Repeat("{\"a\":", 10000))),
              ElementsAre(ErrorAt(BodyRoot(), "json_invalid")));
  EXPECT_THAT(Errors(With("") + "x"), ElementsAre(ErrorAt(BodyRoot(), "json_invalid")));
}

}  // namespace conversion_handler_test
}  // namespace
}  // namespace thrad
