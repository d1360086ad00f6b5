#include "api/tag_collect_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "api/json_body.h"
#include "api/pixel_query.h"
#include "api_test_support.h"
#include "tag_test_support.h"

namespace thrad {
namespace {
namespace tag_collect_handler_test {

using test::CallFrom;
using test::ErrorAt;
using test::TestTags;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

FieldLoc EventAt(int64_t index, std::string field = "") {
  FieldLoc loc{std::string("body"), std::string("events"), index};
  if (!field.empty()) loc.emplace_back(field);
  return loc;
}

class TagCollectTest : public ::testing::Test {
 protected:
  ParsedTagEvents Parse(std::string_view body, const TagCall& call = CallFrom()) {
    return ParseTagCollect(body, call, tags_.Finder());
  }
  TestTags tags_;
};

TEST_F(TagCollectTest, OneEventIsStoredAsAWebEventOfTheTagsPartner) {
  ParsedTagEvents p =
      Parse(R"({"tag_id":"shop","event_name":" view ","event_id":"e1","channel":"server",)"
            R"("params":{"integration":"x","api_key_label":"y","a":1},"utm":"z"})");
  ASSERT_TRUE(p.ok()) << p.errors.size();
  ASSERT_EQ(p.events.size(), 1u);
  const EventRecord& e = p.events[0];
  EXPECT_EQ(p.partner_id, "partner_a");
  EXPECT_EQ(e.partner_id, "partner_a");
  EXPECT_EQ(e.key_id, "");
  EXPECT_EQ(e.tag_id, "shop");
  EXPECT_EQ(e.event_name, "view");
  EXPECT_EQ(e.channel, "web");
  EXPECT_EQ(e.client_ip, "198.51.100.4");
  EXPECT_EQ(boost::json::parse(e.params_json),
            boost::json::parse(R"({"a":1,"integration":"tag","partner_id":"partner_a",)"
                               R"("extra":{"utm":"z"}})"));
}

TEST_F(TagCollectTest, TheOriginRuleComesBeforeTheFields) {
  EXPECT_EQ(Parse(R"({"tag_id":"nope"})").refusal, TagRefusal::kTagNotFound);
  EXPECT_EQ(Parse(R"({"tag_id":"gone","event_name":"v"})").refusal, TagRefusal::kTagNotFound);
  EXPECT_EQ(Parse(R"({"tag_id":"blog"})").refusal, TagRefusal::kOriginNotAllowed);
  EXPECT_EQ(Parse(R"({"tag_id":"shop","event_name":"v"})", CallFrom(std::nullopt)).refusal,
            TagRefusal::kOriginNotAllowed);
  EXPECT_EQ(Parse(R"({"tag_id":"shop","event_name":"v"})", CallFrom("null")).refusal,
            TagRefusal::kOriginNotAllowed);
  EXPECT_TRUE(
      Parse(R"({"tag_id":"shop","event_name":"v"})", CallFrom("https://a.b.shop.example")).ok());
  // In a batch, a missing tag anywhere wins over an origin refused elsewhere.
  EXPECT_EQ(Parse(R"({"events":[{"tag_id":"blog","event_name":"v"},{"tag_id":"x"}]})").refusal,
            TagRefusal::kTagNotFound);
}

TEST_F(TagCollectTest, ABatchTakesTheTopLevelTagIdAndDropsRepeats) {
  ParsedTagEvents p = Parse(R"({"tag_id":"shop","events":[{"event_name":"a","event_id":"1"},)"
                            R"({"event_name":"b","tag_id":"other","event_id":"1"},)"
                            R"({"event_name":"c","event_id":"1"}]})");
  // "other" is partner_b's: one partner per request.
  EXPECT_THAT(p.errors, ElementsAre(ErrorAt(test::BodyAt("events"), "value_error")));
  EXPECT_THAT(p.events, IsEmpty());
  p = Parse(R"({"tag_id":"shop","events":[{"event_name":"a","event_id":"1"},)"
            R"({"event_name":"c","event_id":"1"},{"event_name":"d"}]})");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.events.size(), 2u);  // the repeat of event 1 is not written twice
  EXPECT_EQ(p.events[0].event_name, "a");
  EXPECT_EQ(p.events[1].event_name, "d");
  EXPECT_EQ(p.events[1].tag_id, "shop");
}

TEST_F(TagCollectTest, EveryProblemIsListedWithBatchLocations) {
  ParsedTagEvents p = Parse(R"({"events":[{"tag_id":"shop","event_name":"ok"},)"
                            R"({"tag_id":"shop","event_name":"","view_time_ms":-1},3,)"
                            R"({"event_name":"no tag"},{"tag_id":7,"event_name":"x"}]})");
  EXPECT_EQ(p.refusal, TagRefusal::kNone);
  EXPECT_THAT(p.errors, ElementsAre(ErrorAt(EventAt(2), "dict_type"),
                                    ErrorAt(EventAt(1, "event_name"), "string_blank"),
                                    ErrorAt(EventAt(1, "view_time_ms"), "greater_than_equal"),
                                    ErrorAt(EventAt(3, "tag_id"), "missing"),
                                    ErrorAt(EventAt(4, "tag_id"), "string_type")));
  EXPECT_THAT(p.events, IsEmpty());
  EXPECT_THAT(Parse(R"({"event_name":"v"})").errors,
              ElementsAre(ErrorAt(test::BodyAt("tag_id"), "missing")));
}

TEST_F(TagCollectTest, BodyShapes) {
  EXPECT_THAT(Parse("").errors, ElementsAre(ErrorAt(test::BodyRoot(), "json_invalid")));
  EXPECT_THAT(Parse("[1]").errors, ElementsAre(ErrorAt(test::BodyRoot(), "model_attributes_type")));
  EXPECT_THAT(Parse(R"({"events":[]})").errors,
              ElementsAre(ErrorAt(test::BodyAt("events"), "too_short")));
  EXPECT_THAT(Parse(R"({"events":null})").errors,
              ElementsAre(ErrorAt(test::BodyAt("events"), "missing")));
  EXPECT_THAT(Parse(R"({"events":{}})").errors,
              ElementsAre(ErrorAt(test::BodyAt("events"), "list_type")));
  std::string many = R"({"tag_id":"shop","events":[)";
  for (size_t i = 0; i <= kMaxTagBatchEvents; ++i) many += (i ? "," : "") + std::string("{}");
  EXPECT_THAT(Parse(many + "]}").errors, ElementsAre(ErrorAt(test::BodyAt("events"), "too_long")));
  EXPECT_THAT(Parse(R"({"tag_id":5,"events":[{"tag_id":"shop","event_name":"v"}]})").errors,
              ElementsAre(ErrorAt(test::BodyAt("tag_id"), "string_type")));
}

TEST_F(TagCollectTest, ThePixelQueryIsAnEventObject) {
  Parsed<JsonBody> q = ParsePixelQuery(
      "tag_id=shop&event_name=page+view&timestamp=1771523000&view_time_ms=1.5"
      "&params.color=bl%C3%BCe&consent.ads=no&page_url=https%3A%2F%2Fshop.example%2Fa%3Fb%3D1"
      "&event_name=pv&utm=x");
  ASSERT_TRUE(q.ok());
  ParsedTagEvents p =
      ParseTagEvent(q.record.object, q.record.raw_numbers, CallFrom(), tags_.Finder());
  // view_time_ms "1.5" stays a string: int_type.
  EXPECT_THAT(p.errors, ElementsAre(ErrorAt(test::BodyAt("view_time_ms"), "int_type")));
  q = ParsePixelQuery(
      "tag_id=shop&event_name=page+view&timestamp=1771523000"
      "&params.color=bl%C3%BCe&consent.ads=no&event_name=pv&utm=x");
  ASSERT_TRUE(q.ok());
  p = ParseTagEvent(q.record.object, q.record.raw_numbers, CallFrom(), tags_.Finder());
  ASSERT_TRUE(p.ok());
  const EventRecord& e = p.events[0];
  EXPECT_EQ(e.event_name, "pv");  // the last one wins
  EXPECT_EQ(e.timestamp, 1771523000);
  EXPECT_EQ(boost::json::parse(*e.consent_json), boost::json::parse(R"({"ads":"no"})"));
  EXPECT_EQ(boost::json::parse(e.params_json),
            boost::json::parse(R"({"color":"blüe","extra":{"utm":"x"},"integration":"tag",)"
                               R"("partner_id":"partner_a"})"));
}

TEST_F(TagCollectTest, PixelQueryErrors) {
  EXPECT_TRUE(ParsePixelQuery("").ok());
  EXPECT_THAT(
      ParsePixelQuery("a=%ff").errors,
      ElementsAre(ErrorAt(FieldLoc{std::string("query"), std::string("a")}, "value_error")));
  EXPECT_THAT(ParsePixelQuery("a=%zz").errors,
              ElementsAre(ErrorAt(FieldLoc{std::string("query")}, "value_error")));
  std::string many;
  for (size_t i = 0; i <= kMaxPixelParams; ++i) many += "&p" + std::to_string(i) + "=1";
  EXPECT_THAT(ParsePixelQuery(many.substr(1)).errors,
              ElementsAre(ErrorAt(FieldLoc{std::string("query")}, "value_error")));
}

}  // namespace tag_collect_handler_test
}  // namespace
}  // namespace thrad
