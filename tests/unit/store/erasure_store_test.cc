// Conformance (store_conformance.h): the enrichment columns (issue 17) round-trip through every
// write path, export and the click look-up; ErasureStore::Erase removes exactly one person's rows
// of one partner, by client_id, session_id or IP (both spellings), in batches, and a dry run
// deletes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "common/json_numbers.h"
#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

namespace json = boost::json;

Enrichment FullEnrichment() {
  Enrichment n;
  n.geo_country = "US";
  n.geo_region = "US-CA";
  n.geo_city = "San Francisco";
  n.geo_lat = 37.77;
  n.geo_lon = -122.4194;
  n.ua_browser = "Chrome";
  n.ua_browser_version = "131";
  n.ua_os = "Android";
  n.ua_device = "mobile";
  n.is_bot = false;
  return n;
}

// The ten enrichment fields of an export line, as text ("null" when unset).
std::vector<std::string> EnrichmentOf(const std::string& line) {
  json::object o = json::parse(line).as_object();
  std::vector<std::string> out;
  for (const char* key : {"geo_country", "geo_region", "geo_city", "geo_lat", "geo_lon",
                          "ua_browser", "ua_browser_version", "ua_os", "ua_device", "is_bot"}) {
    EXPECT_TRUE(o.contains(key)) << key;
    out.push_back(SerializeJson(o[key]));
  }
  return out;
}

const std::vector<std::string> kFullJson = {
    R"("US")",     R"("US-CA")", R"("San Francisco")", "37.77",       "-122.4194",
    R"("Chrome")", R"("131")",   R"("Android")",       R"("mobile")", "false"};
const std::vector<std::string> kNullJson(10, "null");

template <typename Backend>
class ErasureStoreTest : public Backend {
 protected:
  // An event of `partner` with these identifiers (nullopt: none) from `ip`.
  static EventRecord Person(const std::string& partner, std::optional<std::string> client,
                            std::optional<std::string> session, const std::string& ip) {
    EventRecord e = Event(partner, "site:a", std::nullopt);
    e.client_id = std::move(client);
    e.session_id = std::move(session);
    e.client_ip = ip;
    return e;
  }

  void Store(std::vector<EventRecord> events) {
    WriteOp op = EventOp(std::move(events));
    this->Commit({&op});
    ASSERT_OK(op.status);
  }

  void StoreConversion(const std::string& partner, const std::string& click,
                       std::optional<std::string> client, const std::string& ip) {
    ConversionRecord c = Conversion(partner, click, std::nullopt);
    c.client_id = std::move(client);
    c.client_ip = ip;
    WriteOp op = ConversionOp(std::move(c));
    this->Commit({&op});
    ASSERT_OK(op.status);
    ASSERT_EQ(Conv(op).outcome, WriteOutcome::kStored);
  }

  Result<ErasureCounts> Erase(const std::string& partner, ErasureSelector selector,
                              const std::string& value, bool dry_run = false,
                              size_t batch_size = 1000) {
    ErasureRequest r;
    r.partner_id = partner;
    r.selector = selector;
    r.value = value;
    r.dry_run = dry_run;
    r.batch_size = batch_size;
    r.pause = std::chrono::milliseconds(0);
    return this->store().Erase(r);
  }

  // The client_id (or "-") of every exported event of `partner`, in export order.
  std::vector<std::string> ClientsOf(const std::string& partner) {
    std::vector<std::string> out;
    ExportFilter f;
    f.partner_id = partner;
    for (const std::string& line : this->ExportEvents(f)) {
      json::value v = json::parse(line).at("client_id");
      out.push_back(v.is_null() ? "-" : std::string(v.as_string()));
    }
    return out;
  }
};
TYPED_TEST_SUITE(ErasureStoreTest, StoreBackends, StoreBackendNames);

TYPED_TEST(ErasureStoreTest, EnrichmentRoundTripsThroughEveryWritePathExportAndClickLookup) {
  const Enrichment full = FullEnrichment();
  // Events: a batch of only events (PostgreSQL: COPY), then events beside a conversion (the
  // INSERT path, SQLite's multi-row and single-row statements).
  EventRecord e1 = Event("p1", "site:a", "e1");
  e1.enrichment = full;
  EventRecord e2 = Event("p1", "site:a", "e2");  // no enrichment
  WriteOp events = EventOp({e1, e2});
  this->Commit({&events});
  ASSERT_OK(events.status);

  ASSERT_OK(this->store().InsertClick(Click("p1", "clk_1")));
  ClickRecord redirect = FullClick("p1", "clk_2");
  redirect.enrichment = full;
  redirect.enrichment.is_bot = true;
  redirect.enrichment.geo_lat = 0.1;
  WriteOp click = ClickOp({redirect});
  ClickRecord added = FullClick("p1", "clk_3");
  added.enrichment = full;
  ASSERT_OK(this->store().InsertClick(added));

  ConversionRecord c = Conversion("p1", "clk_1", std::nullopt);
  c.enrichment = full;
  WriteOp conversion = ConversionOp(c);
  EventRecord e3 = Event("p1", "site:a", "e3");
  e3.enrichment = full;
  e3.enrichment.ua_device = "desktop";
  WriteOp more_events = EventOp({e3});
  this->Commit({&click, &conversion, &more_events});
  ASSERT_OK(click.status);
  ASSERT_OK(conversion.status);
  ASSERT_OK(more_events.status);

  std::vector<std::string> exported = this->ExportEvents();
  ASSERT_EQ(exported.size(), 3u);
  EXPECT_EQ(EnrichmentOf(exported[0]), kFullJson);
  // The project's number spelling, not Boost's 3.777E1.
  EXPECT_THAT(exported[0], ::testing::HasSubstr(R"("geo_lat":37.77,"geo_lon":-122.4194,)"));
  EXPECT_EQ(EnrichmentOf(exported[1]), kNullJson);
  std::vector<std::string> desktop = kFullJson;
  desktop[8] = R"("desktop")";
  EXPECT_EQ(EnrichmentOf(exported[2]), desktop);

  exported = this->ExportConversions();
  ASSERT_EQ(exported.size(), 1u);
  EXPECT_EQ(EnrichmentOf(exported[0]), kFullJson);

  exported = this->ExportClicks();
  ASSERT_EQ(exported.size(), 3u);  // clicked at the same time: by click id
  EXPECT_EQ(EnrichmentOf(exported[0]), kNullJson);
  std::vector<std::string> bot = kFullJson;
  bot[3] = "0.1";
  bot[9] = "true";
  EXPECT_EQ(EnrichmentOf(exported[1]), bot);
  EXPECT_EQ(EnrichmentOf(exported[2]), kFullJson);

  for (const auto& [id, want] :
       {std::pair{"clk_1", Enrichment{}}, std::pair{"clk_2", redirect.enrichment},
        std::pair{"clk_3", full}}) {
    auto found = this->store().FindClick("p1", id);
    ASSERT_OK(found);
    ASSERT_TRUE(found->has_value()) << id;
    EXPECT_EQ((*found)->click.enrichment, want) << id;
  }
}

TYPED_TEST(ErasureStoreTest, ByClientIdErasesThatPersonsRowsOfThatPartnerOnly) {
  this->Store({this->Person("p1", "c1", "s1", "203.0.113.7"),
               this->Person("p1", "c2", "s2", "203.0.113.8"),
               this->Person("p2", "c1", "s1", "203.0.113.7"),
               this->Person("p1", "c1", "s3", "198.51.100.1"),
               this->Person("p1", std::nullopt, "s1", "203.0.113.7")});
  ASSERT_OK(this->store().InsertClick(Click("p1", "clk_1")));
  ASSERT_OK(this->store().InsertClick(Click("p2", "clk_1")));
  this->StoreConversion("p1", "clk_1", "c1", "203.0.113.7");
  this->StoreConversion("p2", "clk_1", "c1", "203.0.113.7");

  auto erased = this->Erase("p1", ErasureSelector::kClientId, "c1");
  ASSERT_OK(erased);
  ErasureCounts want;
  want.events = 2;
  want.conversions = 1;
  EXPECT_EQ(*erased, want);
  EXPECT_EQ(this->ClientsOf("p1"), (std::vector<std::string>{"c2", "-"}));
  EXPECT_EQ(this->ClientsOf("p2"), (std::vector<std::string>{"c1"}));
  EXPECT_EQ(this->Count("conversions"), 1);
  EXPECT_EQ(this->Count("clicks"), 2);  // clicks have no client_id: only an IP erases them

  // Again: nothing left to erase.
  erased = this->Erase("p1", ErasureSelector::kClientId, "c1");
  ASSERT_OK(erased);
  EXPECT_EQ(*erased, ErasureCounts{});
}

TYPED_TEST(ErasureStoreTest, BySessionIdErasesThatSessionsRows) {
  this->Store({this->Person("p1", "c1", "s1", "203.0.113.7"),
               this->Person("p1", "c2", "s2", "203.0.113.8"),
               this->Person("p1", std::nullopt, "s1", "203.0.113.9"),
               this->Person("p2", "c1", "s1", "203.0.113.7")});
  auto erased = this->Erase("p1", ErasureSelector::kSessionId, "s1");
  ASSERT_OK(erased);
  EXPECT_EQ(erased->events, 2u);
  EXPECT_EQ(this->ClientsOf("p1"), (std::vector<std::string>{"c2"}));
  EXPECT_EQ(this->ClientsOf("p2"), (std::vector<std::string>{"c1"}));
}

TYPED_TEST(ErasureStoreTest, ByIpMatchesTheCanonicalAndTheAnonymizedSpellingAndErasesClicks) {
  this->Store({this->Person("p1", "v4", std::nullopt, "203.0.113.77"),
               this->Person("p1", "v4-anon", std::nullopt, "203.0.113.0"),
               this->Person("p1", "v4-other", std::nullopt, "203.0.114.77"),
               this->Person("p2", "v4-p2", std::nullopt, "203.0.113.77"),
               this->Person("p1", "v6", std::nullopt, "2001:db8:1:2:3:4:5:6"),
               this->Person("p1", "v6-anon", std::nullopt, "2001:db8:1::"),
               this->Person("p1", "v6-other", std::nullopt, "2001:db8:2::6")});
  ClickRecord mine = FullClick("p1", "clk_mine");
  mine.client_ip = "203.0.113.77";
  ClickRecord anon = FullClick("p1", "clk_anon");
  anon.client_ip = "203.0.113.0";
  ClickRecord other = FullClick("p1", "clk_other");
  other.client_ip = "203.0.113.78";
  ClickRecord none = Click("p1", "clk_none");  // no client_ip
  ClickRecord theirs = FullClick("p2", "clk_mine");
  theirs.client_ip = "203.0.113.77";
  for (const ClickRecord& c : {mine, anon, other, none, theirs}) {
    ASSERT_OK(this->store().InsertClick(c));
  }
  this->StoreConversion("p1", "clk_other", "v4", "203.0.113.77");

  // An IPv4-mapped IPv6 spelling of the address finds the IPv4 rows.
  auto erased = this->Erase("p1", ErasureSelector::kIp, "::ffff:203.0.113.77");
  ASSERT_OK(erased);
  EXPECT_EQ(erased->events, 2u);
  EXPECT_EQ(erased->conversions, 1u);
  EXPECT_EQ(erased->clicks, 2u);
  EXPECT_EQ(this->ClientsOf("p1"),
            (std::vector<std::string>{"v4-other", "v6", "v6-anon", "v6-other"}));
  EXPECT_EQ(this->ClientsOf("p2"), (std::vector<std::string>{"v4-p2"}));
  EXPECT_FALSE(this->store().FindClick("p1", "clk_mine")->has_value());
  EXPECT_FALSE(this->store().FindClick("p1", "clk_anon")->has_value());
  EXPECT_TRUE(this->store().FindClick("p1", "clk_other")->has_value());
  EXPECT_TRUE(this->store().FindClick("p1", "clk_none")->has_value());
  EXPECT_TRUE(this->store().FindClick("p2", "clk_mine")->has_value());

  erased = this->Erase("p1", ErasureSelector::kIp, "2001:DB8:1:2:3:4:5:6");
  ASSERT_OK(erased);
  EXPECT_EQ(erased->events, 2u);
  EXPECT_EQ(this->ClientsOf("p1"), (std::vector<std::string>{"v4-other", "v6-other"}));
}

TYPED_TEST(ErasureStoreTest, ADryRunCountsAndDeletesNothing) {
  this->Store({this->Person("p1", "c1", "s1", "203.0.113.7"),
               this->Person("p1", "c1", "s2", "203.0.113.7"),
               this->Person("p1", "c2", "s3", "203.0.113.7")});
  ClickRecord c = FullClick("p1", "clk_1");
  c.client_ip = "203.0.113.7";
  ASSERT_OK(this->store().InsertClick(c));
  auto counted = this->Erase("p1", ErasureSelector::kClientId, "c1", /*dry_run=*/true);
  ASSERT_OK(counted);
  EXPECT_EQ(counted->events, 2u);
  counted = this->Erase("p1", ErasureSelector::kIp, "203.0.113.7", /*dry_run=*/true, 2);
  ASSERT_OK(counted);
  EXPECT_EQ(counted->events, 3u);
  EXPECT_EQ(counted->clicks, 1u);
  EXPECT_EQ(this->Count("events"), 3);
  EXPECT_EQ(this->Count("clicks"), 1);
}

TYPED_TEST(ErasureStoreTest, ErasesAcrossManyBatches) {
  // 23 rows of c1 among 46 rows of others, erased 4 rows per transaction.
  std::vector<EventRecord> events;
  for (int i = 0; i < 23; ++i) {
    events.push_back(this->Person("p1", "c1", std::nullopt, "203.0.113.7"));
    events.push_back(this->Person("p1", "c" + std::to_string(i + 2), std::nullopt, "203.0.113.8"));
    events.push_back(this->Person("p2", "c1", std::nullopt, "203.0.113.7"));
  }
  this->Store(std::move(events));
  std::vector<ClickRecord> clicks;
  for (int i = 0; i < 9; ++i) {
    ClickRecord c = FullClick("p1", "clk_" + std::to_string(i));
    c.client_ip = i % 3 == 0 ? "203.0.113.8" : "203.0.113.7";
    ASSERT_OK(this->store().InsertClick(c));
  }
  auto counted = this->Erase("p1", ErasureSelector::kClientId, "c1", /*dry_run=*/true, 4);
  ASSERT_OK(counted);
  EXPECT_EQ(counted->events, 23u);
  auto erased = this->Erase("p1", ErasureSelector::kClientId, "c1", false, 4);
  ASSERT_OK(erased);
  EXPECT_EQ(erased->events, 23u);
  EXPECT_EQ(this->Count("events"), 46);
  EXPECT_EQ(this->ClientsOf("p1").size(), 23u);
  EXPECT_THAT(this->ClientsOf("p1"), ::testing::Not(::testing::Contains("c1")));
  EXPECT_EQ(this->ClientsOf("p2").size(), 23u);

  erased = this->Erase("p1", ErasureSelector::kIp, "203.0.113.7", false, 2);
  ASSERT_OK(erased);
  EXPECT_EQ(erased->clicks, 6u);  // anonymized: 203.0.113.0; the .8 clicks stay
  EXPECT_EQ(this->Count("clicks"), 3);
}

TYPED_TEST(ErasureStoreTest, RejectsAnInvalidRequest) {
  EXPECT_EQ(this->Erase("p1", ErasureSelector::kIp, "not-an-ip").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(this->Erase("p1", ErasureSelector::kClientId, "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(this->Erase("", ErasureSelector::kClientId, "c1").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(this->Erase("p1", ErasureSelector::kClientId, "c1", false, 0).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace thrad::test
