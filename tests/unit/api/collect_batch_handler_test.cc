#include "api/collect_batch_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "api/collect_handler.h"
#include "api/json_body.h"
#include "api_test_support.h"
#include "testing/status_matchers.h"

namespace thrad {
namespace {

using test::ErrorAt;
using test::ParseObject;
using test::TestContext;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

FieldLoc At(std::vector<std::variant<std::string, int64_t>> parts) { return parts; }

FieldLoc EventAt(int64_t index, std::string field = "") {
  FieldLoc loc{std::string("body"), std::string("events"), index};
  if (!field.empty()) loc.emplace_back(field);
  return loc;
}

ParsedBatch Batch(const std::string& body, size_t max_events = kMaxBatchEvents) {
  return ParseCollectBatch(body, TestContext(), max_events);
}

// {"events":[e1,e2,...]} from the events' JSON texts.
std::string Events(const std::vector<std::string>& events) {
  std::string body = R"({"events":[)";
  for (size_t i = 0; i < events.size(); ++i) body += (i ? "," : "") + events[i];
  return body + "]}";
}

std::vector<BatchItemStatus> Statuses(const ParsedBatch& b) {
  std::vector<BatchItemStatus> out;
  for (const BatchItem& item : b.items) out.push_back(item.status);
  return out;
}

constexpr auto kOk = BatchItemStatus::kOk;
constexpr auto kDuplicate = BatchItemStatus::kDuplicate;
constexpr auto kError = BatchItemStatus::kError;

TEST(ParseCollectBatchTest, ValidEventsAreAllWrittenInOrder) {
  ParsedBatch b = Batch(Events({R"({"event_name":"a","event_id":"1"})",
                                R"({"event_name":"b","event_id":"2"})", R"({"event_name":"c"})"}));
  ASSERT_OK(b);
  EXPECT_THAT(Statuses(b), ElementsAre(kOk, kOk, kOk));
  ASSERT_EQ(b.events.size(), 3u);
  EXPECT_EQ(b.events[0].event_name, "a");
  EXPECT_EQ(b.events[1].event_name, "b");
  EXPECT_EQ(b.events[2].event_name, "c");
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(b.items[i].slot, i);
}

TEST(ParseCollectBatchTest, EveryEventIsReadLikeASingleBody) {
  const std::vector<std::string> events = {
      R"({"event_name":" page_view ","page_url":"https://Shop.Example:8443/p","timestamp":1e3})",
      R"({"event_name":"x","tag_id":"t","event_id":"e","view_time_ms":12.0,"consent":{"a":1},)"
      R"("params":{"p":[1,2]},"custom_field":"v","bad key!":1})",
      // The latest timestamp accepted: 1 day after the receive time.
      R"({"event_name":"y","timestamp":1771610400,"channel":"web"})",
  };
  ParsedBatch b = Batch(Events(events));
  ASSERT_OK(b);
  ASSERT_EQ(b.events.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    Parsed<EventRecord> single = ParseCollect(events[i], TestContext());
    ASSERT_OK(single) << events[i];
    const EventRecord& a = b.events[i];
    const EventRecord& e = single.record;
    EXPECT_EQ(a.event_name, e.event_name);
    EXPECT_EQ(a.tag_id, e.tag_id);
    EXPECT_EQ(a.event_id, e.event_id);
    EXPECT_EQ(a.timestamp, e.timestamp);
    EXPECT_EQ(a.view_time_ms, e.view_time_ms);
    EXPECT_EQ(a.page_url, e.page_url);
    EXPECT_EQ(a.consent_json, e.consent_json);
    EXPECT_EQ(ParseObject(a.params_json), ParseObject(e.params_json));
    EXPECT_EQ(a.partner_id, "partner_1");
    EXPECT_EQ(a.key_id, "key_0123abcd");
    EXPECT_EQ(a.client_ip, "203.0.113.7");
    EXPECT_EQ(a.received_at, 1771524000'000000);
    EXPECT_EQ(a.channel, "server");
  }
  EXPECT_EQ(b.events[0].timestamp, 1000);
  EXPECT_EQ(b.events[0].tag_id, "site:shop.example");
  EXPECT_EQ(b.sanitize.dropped_keys, 1);  // "bad key!"
}

TEST(ParseCollectBatchTest, InvalidEventsAreReportedPerIndexAndNeverSinkTheOthers) {
  ParsedBatch b =
      Batch(Events({R"({"event_name":"ok-1"})", R"({"event_name":"","timestamp":-1,"page_url":5})",
                    R"({"event_name":"ok-2"})", R"({})"}));
  ASSERT_OK(b);
  EXPECT_THAT(Statuses(b), ElementsAre(kOk, kError, kOk, kError));
  ASSERT_EQ(b.events.size(), 2u);
  EXPECT_EQ(b.events[0].event_name, "ok-1");
  EXPECT_EQ(b.events[1].event_name, "ok-2");
  EXPECT_EQ(b.items[2].slot, 1u);
  EXPECT_EQ(b.items[1].slot, std::nullopt);
  EXPECT_THAT(b.items[1].errors, ElementsAre(ErrorAt(EventAt(1, "event_name"), "string_blank"),
                                             ErrorAt(EventAt(1, "timestamp"), "greater_than_equal"),
                                             ErrorAt(EventAt(1, "page_url"), "string_type")));
  EXPECT_THAT(b.items[3].errors, ElementsAre(ErrorAt(EventAt(3, "event_name"), "missing")));
  EXPECT_THAT(b.items[0].errors, IsEmpty());
}

TEST(ParseCollectBatchTest, NestedErrorLocationsKeepTheirTail) {
  ParsedBatch b = Batch(Events({R"({"event_name":"a","params":{"x":1e400}})"}));
  ASSERT_OK(b);
  EXPECT_THAT(b.items[0].errors, ElementsAre(ErrorAt(EventAt(0, "params"), "finite_number")));
}

TEST(ParseCollectBatchTest, AnElementThatIsNotAnObjectIsDictType) {
  ParsedBatch b = Batch(Events({R"("page_view")", R"({"event_name":"a"})", "null", "[1]", "7"}));
  ASSERT_OK(b);
  EXPECT_THAT(Statuses(b), ElementsAre(kError, kOk, kError, kError, kError));
  EXPECT_THAT(b.items[0].errors, ElementsAre(ErrorAt(EventAt(0), "dict_type")));
  EXPECT_THAT(b.items[4].errors, ElementsAre(ErrorAt(EventAt(4), "dict_type")));
}

TEST(ParseCollectBatchTest, RawNumbersFollowTheirOwnElement) {
  // Scalars and arrays before an object must not shift which element a number belongs to.
  ParsedBatch b =
      Batch(Events({"3.5", R"([{"timestamp":1.5}])", R"({"event_name":"a","timestamp":2e0})",
                    R"({"event_name":"b","timestamp":1.5,"timestamp":4})",
                    R"({"event_name":"c","timestamp":4,"timestamp":"x"})",
                    R"({"event_name":"d","timestamp":1.5})"}));
  ASSERT_OK(b);
  EXPECT_THAT(Statuses(b), ElementsAre(kError, kError, kOk, kOk, kError, kError));
  EXPECT_EQ(b.events[0].timestamp, 2);
  EXPECT_EQ(b.events[1].timestamp, 4);  // the last duplicate key wins
  EXPECT_THAT(b.items[4].errors, ElementsAre(ErrorAt(EventAt(4, "timestamp"), "int_type")));
  EXPECT_THAT(b.items[5].errors, ElementsAre(ErrorAt(EventAt(5, "timestamp"), "int_from_float")));
}

TEST(ParseCollectBatchTest, ExactIntegersBeyondADouble) {
  // 9223372036854775807.5 is a double that rounds to 2^63: only the source text tells that
  // it has a fraction, as for a single event.
  ParsedBatch b = Batch(Events({R"({"event_name":"a","timestamp":9223372036854775807.5})"}));
  ASSERT_OK(b);
  Parsed<EventRecord> single =
      ParseCollect(R"({"event_name":"a","timestamp":9223372036854775807.5})", TestContext());
  ASSERT_EQ(single.errors.size(), 1u);
  EXPECT_THAT(b.items[0].errors,
              ElementsAre(ErrorAt(EventAt(0, "timestamp"), single.errors[0].type)));
}

TEST(ParseCollectBatchTest, RepeatsInsideABatchAreDuplicates) {
  ParsedBatch b = Batch(Events({
      R"({"event_name":"a","tag_id":"t","event_id":"1"})",
      R"({"event_name":"a-again","tag_id":"t","event_id":"1"})",  // repeat of 0
      R"({"event_name":"b","tag_id":"u","event_id":"1"})",        // other tag: new
      R"({"event_name":"c"})",                                    // no event_id: never a repeat
      R"({"event_name":"c"})",
      R"({"event_name":"","tag_id":"t","event_id":"2"})",     // invalid
      R"({"event_name":"d","tag_id":"t","event_id":"2"})",    // so this one is new
      R"({"event_name":"e","tag_id":"t","event_id":"   "})",  // blank id counts as absent
      R"({"event_name":"e","tag_id":"t","event_id":"   "})",
  }));
  ASSERT_OK(b);
  EXPECT_THAT(Statuses(b), ElementsAre(kOk, kDuplicate, kOk, kOk, kOk, kError, kOk, kOk, kOk));
  EXPECT_TRUE(b.items[1].repeat);
  EXPECT_EQ(b.items[1].slot, 0u);
  EXPECT_EQ(b.events.size(), 7u);
  EXPECT_EQ(b.events[0].event_name, "a");
}

TEST(ParseCollectBatchTest, TagAndIdBoundariesDoNotCollide) {
  ParsedBatch b = Batch(Events({R"({"event_name":"a","tag_id":"ab","event_id":"c"})",
                                R"({"event_name":"a","tag_id":"a","event_id":"bc"})"}));
  ASSERT_OK(b);
  EXPECT_THAT(Statuses(b), ElementsAre(kOk, kOk));
}

TEST(ParseCollectBatchTest, WholeBodyProblems) {
  auto only_error = [](const std::string& body, const FieldLoc& loc, const std::string& type) {
    ParsedBatch b = Batch(body);
    EXPECT_FALSE(b.ok()) << body;
    EXPECT_THAT(b.errors, ElementsAre(ErrorAt(loc, type))) << body;
    EXPECT_THAT(b.items, IsEmpty());
    EXPECT_THAT(b.events, IsEmpty());
  };
  const FieldLoc events = At({std::string("body"), std::string("events")});
  only_error("", At({std::string("body")}), "json_invalid");
  only_error("{", At({std::string("body")}), "json_invalid");
  only_error(R"([{"event_name":"a"}])", At({std::string("body")}), "model_attributes_type");
  only_error("{}", events, "missing");
  only_error(R"({"events":null})", events, "missing");
  only_error(R"({"event_name":"a"})", events, "missing");
  only_error(R"({"events":{"event_name":"a"}})", events, "list_type");
  only_error(R"({"events":"a"})", events, "list_type");
  only_error(R"({"events":[]})", events, "too_short");
}

TEST(ParseCollectBatchTest, AtMostMaxEvents) {
  std::vector<std::string> events(kMaxBatchEvents, R"({"event_name":"a"})");
  ParsedBatch full = Batch(Events(events));
  ASSERT_OK(full);
  EXPECT_EQ(full.events.size(), kMaxBatchEvents);

  events.push_back(R"({"event_name":"a"})");
  ParsedBatch over = Batch(Events(events));
  ASSERT_FALSE(over.ok());
  EXPECT_THAT(over.errors, ElementsAre(test::ErrorIs(
                               At({std::string("body"), std::string("events")}), "too_long",
                               "List should have at most 1000 items after validation, not 1001")));

  ParsedBatch small = Batch(Events({"{}", "{}", "{}"}), 2);
  EXPECT_THAT(small.errors,
              ElementsAre(ErrorAt(At({std::string("body"), std::string("events")}), "too_long")));
}

TEST(ParseCollectBatchTest, OtherTopLevelMembersAreIgnoredAndTheLastEventsWins) {
  ParsedBatch b = Batch(R"({"events":[{"event_name":"old","timestamp":1.5}],"meta":{"x":1},)"
                        R"("events":[{"event_name":"new","timestamp":7}]})");
  ASSERT_OK(b);
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].event_name, "new");
  EXPECT_EQ(b.events[0].timestamp, 7);
}

TEST(ApplyBatchOutcomesTest, StoreDuplicatesBecomeDuplicates) {
  ParsedBatch b =
      Batch(Events({R"({"event_name":"a","event_id":"1"})", R"({"event_name":"b","event_id":"2"})",
                    R"({"event_name":"b","event_id":"2"})", R"({})"}));
  ASSERT_EQ(b.events.size(), 2u);
  ApplyBatchOutcomes(b.items, {WriteOutcome::kDuplicate, WriteOutcome::kStored});
  EXPECT_THAT(Statuses(b), ElementsAre(kDuplicate, kOk, kDuplicate, kError));
  BatchCounts c = CountBatch(b.items);
  EXPECT_EQ(c.accepted, 1);
  EXPECT_EQ(c.duplicates, 2);
  EXPECT_EQ(c.rejected, 1);
}

TEST(BatchResultJsonTest, ListsOnlyTheEventsThatAreNotOk) {
  ParsedBatch b = Batch(Events({R"({"event_name":"a","event_id":"1"})",
                                R"({"event_name":"a","event_id":"1"})", R"({"event_name":5})"}));
  ApplyBatchOutcomes(b.items, {WriteOutcome::kStored});
  EXPECT_EQ(ParseObject(BatchResultJson(b.items, b.events, false)),
            ParseObject(R"({"accepted":1,"duplicates":1,"rejected":1,"results":[
              {"index":1,"status":"duplicate"},
              {"index":2,"status":"error","errors":[{"loc":["body","events",2,"event_name"],
                "msg":"Input should be a valid string","type":"string_type"}]}]})"));
}

TEST(BatchResultJsonTest, AllOkHasEmptyResults) {
  ParsedBatch b = Batch(Events({R"({"event_name":"a"})", R"({"event_name":"b"})"}));
  ApplyBatchOutcomes(b.items, {WriteOutcome::kStored, WriteOutcome::kStored});
  EXPECT_EQ(ParseObject(BatchResultJson(b.items, b.events, false)),
            ParseObject(R"({"accepted":2,"duplicates":0,"rejected":0,"results":[]})"));
}

TEST(BatchResultJsonTest, ValidateOnlyListsEveryEventWithItsTagId) {
  ParsedBatch b = Batch(Events({R"({"event_name":"a","page_url":"https://a.example/x"})",
                                R"({"event_name":"b","tag_id":"t","event_id":"1"})", "1"}));
  ApplyBatchOutcomes(b.items, {WriteOutcome::kStored, WriteOutcome::kDuplicate});
  EXPECT_EQ(ParseObject(BatchResultJson(b.items, b.events, true)),
            ParseObject(R"({"status":"valid","accepted":1,"duplicates":1,"rejected":1,"results":[
              {"index":0,"status":"ok","tag_id":"site:a.example"},
              {"index":1,"status":"duplicate","tag_id":"t"},
              {"index":2,"status":"error","errors":[{"loc":["body","events",2],
                "msg":"Input should be a valid dictionary","type":"dict_type"}]}]})"));
}

}  // namespace
}  // namespace thrad

namespace thrad {
namespace {

// A performance guard: the DOM stays in the per-request arena (a move-assignment across
// storages would silently copy it back onto the heap).
TEST(JsonBodyArenaTest, TheDomLivesInOneArena) {
  Parsed<JsonBody> single = ParseJsonObjectBody(R"({"a":{"b":[1,"x"]}})");
  ASSERT_OK(single);
  EXPECT_TRUE(single.record.object.storage().is_deallocate_trivial());
  // Owned by the JsonBody and not reference-counted: copying and destroying values out of
  // it costs no atomic operation and no walk of the tree.
  EXPECT_FALSE(single.record.object.storage().is_shared());
  EXPECT_EQ(single.record.object.storage().get(), single.record.arena.get());
  Parsed<JsonBody> moved = std::move(single);  // a move keeps the arena, and its address
  EXPECT_EQ(moved.record.object.storage().get(), moved.record.arena.get());
  Parsed<JsonBody> batch = ParseJsonBatchBody(R"({"events":[{"a":1}]})", "events");
  ASSERT_OK(batch);
  EXPECT_TRUE(batch.record.object.storage().is_deallocate_trivial());
}

}  // namespace
}  // namespace thrad
