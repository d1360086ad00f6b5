// The one list of columns a new row is written with (record_columns.h).
#include "store/record_columns.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "store/store_test_util.h"

namespace thrad::test {
namespace {

// The enrichment columns every record ends with.
constexpr char kEnrichmentNames[] =
    ", geo_country, geo_region, geo_city, geo_lat, geo_lon, ua_browser, ua_browser_version, "
    "ua_os, ua_device, is_bot";

// Appends the values of an unset Enrichment.
std::vector<std::string> WithNoEnrichment(std::vector<std::string> values) {
  values.insert(values.end(), 10, "NULL");
  return values;
}

// Each column's value as text ("NULL" when absent), in order.
template <typename Record>
std::vector<std::string> Values(const Record& r) {
  std::vector<std::string> out;
  ForEachColumn(r, [&out](std::string_view, auto&& value) {
    using V = std::remove_cvref_t<decltype(value)>;
    if constexpr (std::is_same_v<V, std::string>) {
      out.push_back(value);
    } else if constexpr (std::is_same_v<V, int64_t>) {
      out.push_back(std::to_string(value));
    } else if constexpr (std::is_same_v<V, std::optional<std::string>>) {
      out.push_back(value.value_or("NULL"));
    } else if constexpr (std::is_same_v<V, std::optional<double>>) {
      out.push_back(value ? std::to_string(*value) : "NULL");
    } else if constexpr (std::is_same_v<V, std::optional<bool>>) {
      out.push_back(value ? (*value ? "true" : "false") : "NULL");
    } else {
      static_assert(std::is_same_v<V, std::optional<int64_t>>);
      out.push_back(value ? std::to_string(*value) : "NULL");
    }
  });
  return out;
}

TEST(RecordColumnsTest, EventColumnsAreTheSchemasInOrder) {
  EXPECT_EQ(ColumnNames<EventRecord>(),
            "partner_id, key_id, event_name, tag_id, event_id, \"timestamp\", page_url, "
            "referrer, user_agent, session_id, client_id, attribution_type, impression_id, "
            "click_id, bid_id, impression_state, view_time_ms, consent_json, params_json, "
            "channel, client_ip, received_at" +
                std::string(kEnrichmentNames));
  EXPECT_EQ(ColumnCount<EventRecord>(), 32);

  EventRecord e = Event("p1", "site:a", "e1");
  e.timestamp = 17;
  e.page_url = "u";
  e.view_time_ms = 1500;
  e.consent_json = "{}";
  EXPECT_EQ(Values(e), WithNoEnrichment({"p1",
                                         "key_1",
                                         "page_view",
                                         "site:a",
                                         "e1",
                                         "17",
                                         "u",
                                         "NULL",
                                         "NULL",
                                         "NULL",
                                         "NULL",
                                         "NULL",
                                         "NULL",
                                         "NULL",
                                         "NULL",
                                         "NULL",
                                         "1500",
                                         "{}",
                                         R"({"integration":"partner_s2s"})",
                                         "server",
                                         "203.0.113.7",
                                         "1771524000000000"}));
  e.enrichment.geo_lat = 37.77;
  e.enrichment.is_bot = true;
  e.enrichment.ua_os = "iOS";
  const std::vector<std::string> v = Values(e);
  EXPECT_EQ(std::vector<std::string>(v.begin() + 22, v.end()),
            (std::vector<std::string>{"NULL", "NULL", "NULL", "37.770000", "NULL", "NULL", "NULL",
                                      "iOS", "NULL", "true"}));
}

TEST(RecordColumnsTest, ConversionColumnsAreTheSchemasInOrder) {
  EXPECT_EQ(ColumnNames<ConversionRecord>(),
            "partner_id, key_id, click_id, bid_id, campaign_id, conversion_time, value_micros, "
            "currency, event_type, order_id, event_id, tag_id, session_id, client_id, page_url, "
            "referrer, user_agent, dedup_key, dedup_source, params_json, client_ip, received_at, "
            "click_time" +
                std::string(kEnrichmentNames));
  EXPECT_EQ(ColumnCount<ConversionRecord>(), 33);

  ConversionRecord c = Conversion("p1", "clk_1", "k");
  c.bid_id = "bid";
  c.order_id = "o";
  c.click_time = 1771523000000000;
  EXPECT_EQ(Values(c), WithNoEnrichment({"p1",
                                         "key_1",
                                         "clk_1",
                                         "bid",
                                         "NULL",
                                         "1771524000000000",
                                         "49990000",
                                         "USD",
                                         "purchase_completed",
                                         "o",
                                         "NULL",
                                         "NULL",
                                         "NULL",
                                         "NULL",
                                         "NULL",
                                         "NULL",
                                         "NULL",
                                         "k",
                                         "header",
                                         R"({"integration":"partner_s2s"})",
                                         "203.0.113.7",
                                         "1771524000000001",
                                         "1771523000000000"}));
  c.dedup_key.reset();
  c.dedup_source = DedupSource::kNone;
  EXPECT_EQ(Values(c)[18], "NULL");  // dedup_source
}

TEST(RecordColumnsTest, ClickColumnsAreTheSchemasInOrderAndReadBack) {
  EXPECT_EQ(ColumnNames<ClickRecord>(),
            "partner_id, click_id, bid_id, campaign_id, clicked_at, tag_id, landing_url, "
            "client_ip, user_agent, referrer, exp, source, filter_reason" +
                std::string(kEnrichmentNames));
  EXPECT_EQ(ColumnCount<ClickRecord>(), 23);

  ClickRecord c = FullClick("p1", "clk_1");
  EXPECT_EQ(Values(c),
            WithNoEnrichment({"p1", "clk_1", "bid_1", "cmp_1", "1771523000000000", "pub_001",
                              "https://shop.example.com/landing?a=1", "198.51.100.4", "UA/2.0",
                              "https://pub.example/", "1779299000", "redirect", "prefetch"}));
  ClickRecord bare = Click("p1", "clk_2", std::nullopt, std::nullopt);
  EXPECT_EQ(Values(bare)[2], "NULL");
  EXPECT_EQ(Values(bare)[10], "NULL");  // exp
  EXPECT_EQ(Values(bare)[11], "cli");   // source

  // ReadClickColumns reads back what ForEachColumn wrote, from any column on.
  struct Row {
    std::vector<std::string> values;
    std::optional<std::string> OptText(int i) const {
      const std::string& v = values[static_cast<size_t>(i)];
      return v == "NULL" ? std::nullopt : std::optional<std::string>(v);
    }
    int64_t Int64(int i) const { return std::stoll(values[static_cast<size_t>(i)]); }
    std::optional<int64_t> OptInt64(int i) const {
      std::optional<std::string> v = OptText(i);
      return v ? std::optional<int64_t>(std::stoll(*v)) : std::nullopt;
    }
    std::optional<double> OptDouble(int i) const {
      std::optional<std::string> v = OptText(i);
      return v ? std::optional<double>(std::stod(*v)) : std::nullopt;
    }
    std::optional<bool> OptBool(int i) const {
      std::optional<std::string> v = OptText(i);
      return v ? std::optional<bool>(*v == "true") : std::nullopt;
    }
  };
  ClickRecord enriched = c;
  enriched.enrichment.geo_country = "DE";
  enriched.enrichment.geo_lon = 13.5;
  enriched.enrichment.is_bot = false;
  for (const ClickRecord& r : {c, bare, enriched}) {
    Row row{Values(r)};
    row.values.insert(row.values.begin(), "ord");
    ClickRecord back = ReadClickColumns(row, 1);
    EXPECT_EQ(Values(back), Values(r));
  }
}

}  // namespace
}  // namespace thrad::test
