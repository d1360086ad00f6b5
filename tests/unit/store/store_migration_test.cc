// Conformance (store_conformance.h): a database made by the migrations before clicks had every
// field (SQLite 001-003, PostgreSQL 001), with data in it, opens with this binary's store,
// migrates in place and keeps every row: API keys, clicks, events, conversions. Old clicks come
// back with source "cli" and no exp; old conversions without a click_time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

namespace json = boost::json;

// Rows as the old binary wrote them, in SQL both dialects accept.
constexpr char kOldRows[] = R"sql(
INSERT INTO api_keys(id, digest, partner_id, label, scopes, created_at)
  VALUES('key_old', 'digest_old', 'p1', 'old key', 3, 1);
INSERT INTO clicks(partner_id, click_id, bid_id, campaign_id, created_at)
  VALUES('p1', 'clk_old', 'bid_1', 'cmp_1', 1771523000000000);
INSERT INTO clicks(partner_id, click_id, bid_id, campaign_id, created_at)
  VALUES('p2', 'clk_nobid', NULL, NULL, 1771523000000001);
INSERT INTO events(partner_id, key_id, event_name, tag_id, event_id, params_json, channel,
                   client_ip, received_at)
  VALUES('p1', 'key_old', 'page_view', 'site:a', 'e1', '{}', 'server', '203.0.113.7',
         1771524000000000);
INSERT INTO events(partner_id, key_id, event_name, tag_id, params_json, channel, client_ip,
                   received_at)
  VALUES('p1', 'key_old', 'page_view', 'site:a', '{}', 'server', '203.0.113.7',
         1771524000000001);
INSERT INTO conversions(partner_id, key_id, click_id, bid_id, campaign_id, conversion_time,
                        value_micros, currency, event_type, dedup_key, dedup_source,
                        params_json, client_ip, received_at)
  VALUES('p1', 'key_old', 'clk_old', 'bid_1', 'cmp_1', 1771524000000000, 49990000, 'USD',
         'purchase_completed', 'order-1', 'header', '{}', '203.0.113.7', 1771524000000002);
)sql";

template <typename Backend>
class StoreMigrationTest : public Backend {};
TYPED_TEST_SUITE(StoreMigrationTest, StoreBackends, StoreBackendNames);

TYPED_TEST(StoreMigrationTest, AnOldDatabaseMigratesInPlaceAndKeepsEveryRow) {
  this->RecreateBeforeClickFields();
  this->Sql(kOldRows);
  this->AddSpanOfRawEvents();
  this->ReopenStore();
  if (this->HasFatalFailure()) return;
  Store& store = this->store();

  auto keys = store.ListKeys(std::nullopt);
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].id, "key_old");
  EXPECT_EQ((*keys)[0].label, "old key");

  auto events = this->ExportEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(json::parse(events[0]).at("event_id"), "e1");
  EXPECT_EQ(this->ExportEvents({.since = 1771524000000001, .partner_id = "p1"}).size(), 1u);

  auto conversions = this->ExportConversions();
  ASSERT_EQ(conversions.size(), 1u);
  json::object old_conversion = json::parse(conversions[0]).as_object();
  EXPECT_EQ(old_conversion["dedup_key"], "order-1");
  EXPECT_TRUE(old_conversion["click_time"].is_null());

  auto clicks = this->ExportClicks();
  ASSERT_EQ(clicks.size(), 2u);
  json::object c = json::parse(clicks[0]).as_object();
  EXPECT_EQ(c["click_id"], "clk_old");
  EXPECT_EQ(c["clicked_at"], "2026-02-19T17:43:20Z");
  EXPECT_EQ(c["source"], "cli");
  EXPECT_TRUE(c["exp"].is_null());
  EXPECT_TRUE(c["tag_id"].is_null());
  EXPECT_EQ(json::parse(clicks[1]).at("click_id"), "clk_nobid");

  auto found = store.FindClick("p1", "clk_old");
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->click.bid_id, "bid_1");
  EXPECT_EQ((*found)->click.source, "cli");
  EXPECT_EQ((*found)->click.exp, std::nullopt);
  EXPECT_EQ((*found)->click.enrichment, Enrichment{});
  EXPECT_EQ((*found)->conversions, 1u);

  // The enrichment columns (SQLite 005, PostgreSQL 003) are NULL in every old row.
  for (const std::string& line : {events[0], conversions[0], clicks[0]}) {
    json::object o = json::parse(line).as_object();
    for (const char* key : {"geo_country", "geo_region", "geo_city", "geo_lat", "geo_lon",
                            "ua_browser", "ua_browser_version", "ua_os", "ua_device", "is_bot"}) {
      ASSERT_TRUE(o.contains(key)) << key;
      EXPECT_TRUE(o[key].is_null()) << key << " in " << line;
    }
  }

  // The migrated store takes every kind of write: an old click's conversion gets its
  // click_time, the old idempotency key is still a duplicate, new clicks and signing keys go in.
  WriteOp again = ConversionOp(Conversion("p1", "clk_old", "order-1"));
  WriteOp fresh = ConversionOp(Conversion("p1", "clk_old", "order-2"));
  WriteOp click = ClickOp({FullClick("p1", "clk_new"), Click("p1", "clk_old", "bid_x")});
  EventRecord enriched = Event("p1", "site:a", "e2");
  enriched.enrichment.geo_country = "FR";
  enriched.enrichment.is_bot = false;
  WriteOp event = EventOp({Event("p1", "site:a", "e1"), enriched});
  this->Commit({&again, &fresh, &click, &event});
  EXPECT_EQ(Conv(again).outcome, WriteOutcome::kDuplicate);
  EXPECT_EQ(Conv(fresh).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(fresh).conversion.click_time, 1771523000000000);
  EXPECT_THAT(Clicks(click).outcomes,
              ::testing::ElementsAre(WriteOutcome::kStored, WriteOutcome::kDuplicate));
  EXPECT_EQ(Clicks(click).clicks[1].source, "cli");
  EXPECT_THAT(Outcomes(event),
              ::testing::ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kStored));
  SigningKeyRecord key;
  key.kid = "sk_new";
  key.secret = std::string(kSigningSecretBytes, 's');
  key.created_at = 1;
  EXPECT_OK(store.InsertSigningKey(key));
  EXPECT_EQ(this->Count("clicks"), 3);
  EXPECT_EQ(this->Count("events"), 3);
  EXPECT_EQ(this->Count("conversions"), 2);
  EXPECT_EQ(this->Count("api_keys"), 1);
  json::object stored = json::parse(this->ExportEvents().back()).as_object();
  EXPECT_EQ(stored["geo_country"], "FR");
  EXPECT_EQ(stored["is_bot"], false);
}

}  // namespace
}  // namespace thrad::test
