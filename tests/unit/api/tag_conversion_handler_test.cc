#include "api/tag_conversion_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "api_test_support.h"
#include "model/write_op.h"
#include "tag_test_support.h"

namespace thrad {
namespace {

using test::BodyAt;
using test::CallFrom;
using test::ErrorAt;
using test::TestTags;
using ::testing::ElementsAre;

constexpr std::string_view kGood =
    R"({"tag_id":"shop","thrad_click_id":"c-1","thrad_exp":1800000000,"thrad_sig":"v1.k.s",)"
    R"("thrad_bid_id":"b-1","order_id":" o-1 ","value":49.99,"currency":"eur","coupon":"X"})";

class TagConversionTest : public ::testing::Test {
 protected:
  ParsedTagConversion Parse(std::string_view body, const TagCall& call = CallFrom()) {
    return ParseTagConversion(body, call, tags_.Finder());
  }
  TestTags tags_;
};

TEST_F(TagConversionTest, AValidBodyIsAnS2SConversionDedupedByOrderId) {
  ParsedTagConversion p = Parse(kGood);
  ASSERT_TRUE(p.ok()) << p.errors.size();
  const ConversionRecord& c = p.record;
  EXPECT_EQ(c.partner_id, "partner_a");
  EXPECT_TRUE(c.key_id.empty());
  EXPECT_TRUE(FromTag(c));
  EXPECT_EQ(c.click_id, "c-1");
  EXPECT_EQ(c.landing_exp, 1800000000);
  EXPECT_EQ(c.landing_sig, "v1.k.s");
  EXPECT_EQ(c.order_id, " o-1 ");
  EXPECT_EQ(c.dedup_key, " o-1 ");
  EXPECT_EQ(c.dedup_source, DedupSource::kOrderId);
  EXPECT_EQ(c.value_micros, 49'990'000);
  EXPECT_EQ(c.currency, "EUR");
  EXPECT_EQ(c.event_type, "purchase_completed");
  EXPECT_EQ(c.conversion_time, CallFrom().received_at);
  EXPECT_EQ(c.tag_id, "shop");
  EXPECT_EQ(c.client_ip, "198.51.100.4");
  EXPECT_EQ(boost::json::parse(c.params_json),
            boost::json::parse(R"({"integration":"tag","partner_id":"partner_a",)"
                               R"("extra":{"coupon":"X"}})"));
}

TEST_F(TagConversionTest, Defaults) {
  ParsedTagConversion p =
      Parse(R"({"tag_id":"shop","thrad_click_id":"c","thrad_exp":1,"thrad_sig":"s",)"
            R"("order_id":"o","event_type":" signup ","conversion_time":"2026-02-19T17:00:00Z"})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.record.value_micros, 0);
  EXPECT_EQ(p.record.currency, "USD");
  EXPECT_EQ(p.record.event_type, "signup");
  EXPECT_EQ(p.record.conversion_time, 1771520400'000000);
  EXPECT_EQ(boost::json::parse(p.record.params_json).as_object().at("extra").as_object().size(),
            0u);
}

TEST_F(TagConversionTest, TagAndOriginComeFirst) {
  EXPECT_EQ(Parse(R"({"tag_id":"nope","value":"x"})").refusal, TagRefusal::kTagNotFound);
  EXPECT_EQ(Parse(R"({"tag_id":"gone"})").refusal, TagRefusal::kTagNotFound);
  EXPECT_EQ(Parse(R"({"tag_id":"blog","value":"x"})").refusal, TagRefusal::kOriginNotAllowed);
  EXPECT_EQ(Parse(kGood, CallFrom(std::nullopt)).refusal, TagRefusal::kOriginNotAllowed);
  EXPECT_EQ(Parse(kGood, CallFrom("https://x.shop.example")).refusal, TagRefusal::kNone);
  // Without a string tag_id there is no tag to check: its fields' 422.
  EXPECT_THAT(Parse(R"({"tag_id":3})").errors.front(), ErrorAt(BodyAt("tag_id"), "string_type"));
}

TEST_F(TagConversionTest, EveryFieldProblemIsListed) {
  ParsedTagConversion p = Parse(
      R"({"tag_id":"shop","thrad_click_id":" ","thrad_exp":-1,"thrad_bid_id":4,"order_id":"",)"
      R"("value":-1,"currency":"ZZZ","event_type":"","conversion_time":"yesterday",)"
      R"("page_url":7})");
  EXPECT_EQ(p.refusal, TagRefusal::kNone);
  EXPECT_THAT(p.errors, ElementsAre(ErrorAt(BodyAt("thrad_click_id"), "string_blank"),
                                    ErrorAt(BodyAt("thrad_exp"), "greater_than_equal"),
                                    ErrorAt(BodyAt("thrad_sig"), "missing"),
                                    ErrorAt(BodyAt("thrad_bid_id"), "string_type"),
                                    ErrorAt(BodyAt("order_id"), "string_blank"),
                                    ErrorAt(BodyAt("value"), "greater_than_equal"),
                                    ErrorAt(BodyAt("currency"), "value_error"),
                                    ErrorAt(BodyAt("event_type"), "string_blank"),
                                    ErrorAt(BodyAt("conversion_time"), "datetime_parsing"),
                                    ErrorAt(BodyAt("page_url"), "string_type")));
  EXPECT_THAT(
      Parse(R"({"tag_id":"shop"})").errors,
      ElementsAre(ErrorAt(BodyAt("thrad_click_id"), "missing"),
                  ErrorAt(BodyAt("thrad_exp"), "missing"), ErrorAt(BodyAt("thrad_sig"), "missing"),
                  ErrorAt(BodyAt("order_id"), "missing")));
  EXPECT_THAT(Parse("nope").errors, ElementsAre(ErrorAt(test::BodyRoot(), "json_invalid")));
}

TEST(ConversionOutcomeTest, PayloadMismatchOnlyBetweenTwoServerConversions) {
  ConversionPayload a;
  a.value_micros = 1;
  ConversionPayload b = a;
  b.value_micros = 2;
  EXPECT_EQ(ConversionOutcome(a, a), WriteOutcome::kDuplicate);
  EXPECT_EQ(ConversionOutcome(a, b), WriteOutcome::kPayloadMismatch);
  ConversionPayload tag_b = b;
  tag_b.from_tag = true;
  EXPECT_EQ(ConversionOutcome(a, tag_b), WriteOutcome::kDuplicate);
  EXPECT_EQ(ConversionOutcome(tag_b, a), WriteOutcome::kDuplicate);
  ConversionPayload tag_a = a;
  tag_a.from_tag = true;
  EXPECT_EQ(ConversionOutcome(tag_a, tag_b), WriteOutcome::kDuplicate);
}

}  // namespace
}  // namespace thrad
