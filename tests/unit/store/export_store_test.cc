// Conformance (store_conformance.h): ExportStore: one JSON object per row, every stored field,
// exact values, filters, oldest first.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <tuple>

#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

constexpr UnixMicros k20260219 = 1771524000000000;  // 2026-02-19T18:00:00Z

std::vector<std::string> Keys(const json::object& o) {
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  return keys;
}

template <typename Backend>
class ExportStoreTest : public Backend {};
TYPED_TEST_SUITE(ExportStoreTest, StoreBackends, StoreBackendNames);

TYPED_TEST(ExportStoreTest, EventHasEveryField) {
  EventRecord e = Event("p1", "site:example.com", "e1");
  e.timestamp = 1771523999;
  e.page_url = "https://example.com/a";
  e.referrer = "https://ref.example/";
  e.user_agent = "UA/1.0";
  e.session_id = "s1";
  e.client_id = "c1";
  e.attribution_type = "click";
  e.impression_id = "imp1";
  e.click_id = "clk1";
  e.bid_id = "bid1";
  e.impression_state = "viewed";
  e.view_time_ms = 1500;
  e.consent_json = R"({"gdpr":true})";
  e.params_json = R"({"integration":"partner_s2s","extra":{"a":[1,2]}})";
  e.received_at = k20260219 + 123456;
  WriteOp op = EventOp({e, Event("p1", "site:x", std::nullopt)});
  this->Commit({&op});

  auto rows = this->ExportEvents();
  ASSERT_EQ(rows.size(), 2u);
  json::object o = json::parse(rows[0]).as_object();
  EXPECT_THAT(Keys(o), UnorderedElementsAreArray({"id",
                                                  "partner_id",
                                                  "key_id",
                                                  "event_name",
                                                  "tag_id",
                                                  "event_id",
                                                  "timestamp",
                                                  "page_url",
                                                  "referrer",
                                                  "user_agent",
                                                  "session_id",
                                                  "client_id",
                                                  "attribution_type",
                                                  "impression_id",
                                                  "click_id",
                                                  "bid_id",
                                                  "impression_state",
                                                  "view_time_ms",
                                                  "consent",
                                                  "params",
                                                  "channel",
                                                  "client_ip",
                                                  "received_at",
                                                  "geo_country",
                                                  "geo_region",
                                                  "geo_city",
                                                  "geo_lat",
                                                  "geo_lon",
                                                  "ua_browser",
                                                  "ua_browser_version",
                                                  "ua_os",
                                                  "ua_device",
                                                  "is_bot"}));
  EXPECT_EQ(o["id"].as_int64(), 1);
  EXPECT_EQ(o["partner_id"], "p1");
  EXPECT_EQ(o["key_id"], "key_1");
  EXPECT_EQ(o["event_name"], "page_view");
  EXPECT_EQ(o["tag_id"], "site:example.com");
  EXPECT_EQ(o["event_id"], "e1");
  EXPECT_EQ(o["timestamp"].as_int64(), 1771523999);
  EXPECT_EQ(o["page_url"], "https://example.com/a");
  EXPECT_EQ(o["referrer"], "https://ref.example/");
  EXPECT_EQ(o["user_agent"], "UA/1.0");
  EXPECT_EQ(o["session_id"], "s1");
  EXPECT_EQ(o["client_id"], "c1");
  EXPECT_EQ(o["attribution_type"], "click");
  EXPECT_EQ(o["impression_id"], "imp1");
  EXPECT_EQ(o["click_id"], "clk1");
  EXPECT_EQ(o["bid_id"], "bid1");
  EXPECT_EQ(o["impression_state"], "viewed");
  EXPECT_EQ(o["view_time_ms"].as_int64(), 1500);
  EXPECT_EQ(o["consent"], json::parse(R"({"gdpr":true})"));
  EXPECT_EQ(o["params"], json::parse(R"({"integration":"partner_s2s","extra":{"a":[1,2]}})"));
  EXPECT_EQ(o["channel"], "server");
  EXPECT_EQ(o["client_ip"], "203.0.113.7");
  EXPECT_EQ(o["received_at"], "2026-02-19T18:00:00.123456Z");

  json::object minimal = json::parse(rows[1]).as_object();
  EXPECT_EQ(minimal.size(), o.size());
  for (const char* absent : {"event_id", "timestamp", "page_url", "view_time_ms", "consent"}) {
    EXPECT_TRUE(minimal[absent].is_null()) << absent;
  }
}

TYPED_TEST(ExportStoreTest, ConversionHasEveryFieldAndExactValue) {
  ASSERT_OK(this->store().InsertClick(Click("p1", "clk_1")));
  ConversionRecord c = Conversion("p1", "clk_1", "order-7");
  c.dedup_source = DedupSource::kOrderId;
  c.order_id = "order-7";
  c.event_id = "ev";
  c.tag_id = "site:shop";
  c.session_id = "s";
  c.client_id = "c";
  c.page_url = "https://shop/";
  c.referrer = "https://ref/";
  c.user_agent = "UA";
  c.conversion_time = k20260219;
  c.received_at = k20260219 + 1;
  WriteOp a = ConversionOp(c);
  ConversionRecord tiny = Conversion("p1", "clk_1", std::nullopt);
  tiny.value_micros = 1;
  WriteOp b = ConversionOp(tiny);
  ConversionRecord big = Conversion("p1", "clk_1", std::nullopt);
  big.value_micros = 1000000000000LL * 1000000;  // the 1e12 maximum
  WriteOp d = ConversionOp(big);
  this->Commit({&a, &b, &d});

  auto rows = this->ExportConversions();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0], HasSubstr(R"("conversion_value":49.99,)"));
  EXPECT_THAT(rows[1], HasSubstr(R"("conversion_value":0.000001,)"));
  EXPECT_THAT(rows[2], HasSubstr(R"("conversion_value":1000000000000,)"));

  json::object o = json::parse(rows[0]).as_object();
  EXPECT_THAT(Keys(o), UnorderedElementsAreArray({"id",
                                                  "partner_id",
                                                  "key_id",
                                                  "click_id",
                                                  "bid_id",
                                                  "campaign_id",
                                                  "click_time",
                                                  "conversion_time",
                                                  "conversion_value",
                                                  "conversion_value_micros",
                                                  "currency",
                                                  "event_type",
                                                  "order_id",
                                                  "event_id",
                                                  "tag_id",
                                                  "session_id",
                                                  "client_id",
                                                  "page_url",
                                                  "referrer",
                                                  "user_agent",
                                                  "dedup_key",
                                                  "dedup_source",
                                                  "params",
                                                  "client_ip",
                                                  "received_at",
                                                  "geo_country",
                                                  "geo_region",
                                                  "geo_city",
                                                  "geo_lat",
                                                  "geo_lon",
                                                  "ua_browser",
                                                  "ua_browser_version",
                                                  "ua_os",
                                                  "ua_device",
                                                  "is_bot"}));
  EXPECT_EQ(o["id"].as_int64(), 1);
  EXPECT_EQ(o["partner_id"], "p1");
  EXPECT_EQ(o["key_id"], "key_1");
  EXPECT_EQ(o["click_id"], "clk_1");
  EXPECT_EQ(o["bid_id"], "bid_1");
  EXPECT_EQ(o["campaign_id"], "cmp_1");
  EXPECT_EQ(o["click_time"], "2026-02-19T17:43:20Z");  // the click's clicked_at
  EXPECT_EQ(o["conversion_time"], "2026-02-19T18:00:00Z");
  EXPECT_EQ(o["conversion_value_micros"].as_int64(), 49990000);
  EXPECT_EQ(o["currency"], "USD");
  EXPECT_EQ(o["event_type"], "purchase_completed");
  EXPECT_EQ(o["order_id"], "order-7");
  EXPECT_EQ(o["event_id"], "ev");
  EXPECT_EQ(o["tag_id"], "site:shop");
  EXPECT_EQ(o["session_id"], "s");
  EXPECT_EQ(o["client_id"], "c");
  EXPECT_EQ(o["page_url"], "https://shop/");
  EXPECT_EQ(o["referrer"], "https://ref/");
  EXPECT_EQ(o["user_agent"], "UA");
  EXPECT_EQ(o["dedup_key"], "order-7");
  EXPECT_EQ(o["dedup_source"], "order_id");
  EXPECT_EQ(o["params"], json::parse(R"({"integration":"partner_s2s"})"));
  EXPECT_EQ(o["client_ip"], "203.0.113.7");
  EXPECT_EQ(o["received_at"], "2026-02-19T18:00:00.000001Z");

  json::object t = json::parse(rows[1]).as_object();
  EXPECT_TRUE(t["dedup_key"].is_null());
  EXPECT_TRUE(t["dedup_source"].is_null());
  EXPECT_TRUE(t["order_id"].is_null());
}

TYPED_TEST(ExportStoreTest, FiltersBySinceAndPartnerOldestFirst) {
  // One commit each: within one commit, PostgreSQL gives events with an event_id their ids in
  // lock order (pg_identity.h) rather than arrival order.
  for (int i = 0; i < 4; ++i) {
    EventRecord e = Event(i % 2 == 0 ? "p1" : "p2", "site:a", "e" + std::to_string(i));
    e.received_at = k20260219 + i * 1000000;
    WriteOp op = EventOp({e});
    this->Commit({&op});
  }

  auto ids = [](const std::vector<std::string>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.emplace_back(json::parse(r).at("event_id").as_string());
    return out;
  };
  EXPECT_THAT(ids(this->ExportEvents()), ::testing::ElementsAre("e0", "e1", "e2", "e3"));
  EXPECT_THAT(ids(this->ExportEvents({.since = k20260219 + 1000000, .partner_id = std::nullopt})),
              ::testing::ElementsAre("e1", "e2", "e3"));
  EXPECT_THAT(ids(this->ExportEvents({.since = std::nullopt, .partner_id = "p1"})),
              ::testing::ElementsAre("e0", "e2"));
  EXPECT_THAT(ids(this->ExportEvents({.since = k20260219 + 1, .partner_id = "p2"})),
              ::testing::ElementsAre("e1", "e3"));
  EXPECT_TRUE(this->ExportConversions().empty());
}

TYPED_TEST(ExportStoreTest, ClickHasEveryField) {
  ClickRecord full = FullClick("p1", "clk_full");
  full.created_at = k20260219 + 123456;
  WriteOp op = ClickOp({full});
  this->Commit({&op});
  ClickRecord bare = Click("p1", "clk_bare", std::nullopt, std::nullopt);
  bare.created_at = k20260219 + 123457;
  ASSERT_OK(this->store().InsertClick(bare));

  auto rows = this->ExportClicks();
  ASSERT_EQ(rows.size(), 2u);
  json::object o = json::parse(rows[0]).as_object();
  EXPECT_THAT(Keys(o),
              ::testing::ElementsAreArray(
                  {"partner_id",  "click_id",   "bid_id",   "campaign_id", "tag_id",
                   "landing_url", "clicked_at", "exp",      "source",      "filter_reason",
                   "client_ip",   "user_agent", "referrer", "geo_country", "geo_region",
                   "geo_city",    "geo_lat",    "geo_lon",  "ua_browser",  "ua_browser_version",
                   "ua_os",       "ua_device",  "is_bot"}));
  EXPECT_EQ(o["partner_id"], "p1");
  EXPECT_EQ(o["click_id"], "clk_full");
  EXPECT_EQ(o["bid_id"], "bid_1");
  EXPECT_EQ(o["campaign_id"], "cmp_1");
  EXPECT_EQ(o["tag_id"], "pub_001");
  EXPECT_EQ(o["landing_url"], "https://shop.example.com/landing?a=1");
  EXPECT_EQ(o["clicked_at"], "2026-02-19T18:00:00.123456Z");
  EXPECT_EQ(o["exp"].as_int64(), 1779299000);
  EXPECT_EQ(o["source"], "redirect");
  EXPECT_EQ(o["filter_reason"], "prefetch");
  EXPECT_EQ(o["client_ip"], "198.51.100.4");
  EXPECT_EQ(o["user_agent"], "UA/2.0");
  EXPECT_EQ(o["referrer"], "https://pub.example/");

  json::object b = json::parse(rows[1]).as_object();
  EXPECT_EQ(b.size(), o.size());
  EXPECT_EQ(b["click_id"], "clk_bare");
  EXPECT_EQ(b["source"], "cli");
  for (const char* absent : {"bid_id", "campaign_id", "tag_id", "landing_url", "exp",
                             "filter_reason", "client_ip", "user_agent", "referrer"}) {
    EXPECT_TRUE(b[absent].is_null()) << absent;
  }
}

TYPED_TEST(ExportStoreTest, ClicksFilterByClickedAtAndPartnerOldestFirst) {
  // Stored out of time order; two clicks share a time (then by partner, then click id).
  const std::vector<std::tuple<std::string, std::string, UnixMicros>> clicks = {
      {"p2", "c3", k20260219 + 3},
      {"p1", "c0", k20260219},
      {"p2", "c1b", k20260219 + 1},
      {"p1", "c1a", k20260219 + 1},
      {"p1", "c2", k20260219 + 2}};
  for (const auto& [partner, id, at] : clicks) {
    ClickRecord c = Click(partner, id);
    c.created_at = at;
    WriteOp op = ClickOp({c});
    this->Commit({&op});
  }
  auto ids = [](const std::vector<std::string>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.emplace_back(json::parse(r).at("click_id").as_string());
    return out;
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(ids(this->ExportClicks()), ElementsAre("c0", "c1a", "c1b", "c2", "c3"));
  EXPECT_THAT(ids(this->ExportClicks({.since = k20260219 + 1, .partner_id = std::nullopt})),
              ElementsAre("c1a", "c1b", "c2", "c3"));
  EXPECT_THAT(ids(this->ExportClicks({.since = std::nullopt, .partner_id = "p1"})),
              ElementsAre("c0", "c1a", "c2"));
  EXPECT_THAT(ids(this->ExportClicks({.since = k20260219 + 2, .partner_id = "p2"})),
              ElementsAre("c3"));
  EXPECT_TRUE(this->ExportClicks({.since = k20260219 + 4, .partner_id = std::nullopt}).empty());
}

TYPED_TEST(ExportStoreTest, StopsAtTheFirstFailingRow) {
  WriteOp op = EventOp({Event("p1", "t", "a"), Event("p1", "t", "b"), Event("p1", "t", "c")});
  this->Commit({&op});
  int seen = 0;
  Status st = this->store().ExportEvents({}, [&](const std::string&) {
    return ++seen == 2 ? Status::IoError("pipe closed") : Status::Ok();
  });
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_EQ(seen, 2);
}

TYPED_TEST(ExportStoreTest, InvalidStoredJsonIsKeptAsString) {
  EventRecord e = Event("p1", "t", "a");
  e.consent_json = "{not json";
  WriteOp op = EventOp({e});
  this->Commit({&op});
  auto rows = this->ExportEvents();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(json::parse(rows[0]).at("consent"), "{not json");
}

}  // namespace
}  // namespace thrad::test
