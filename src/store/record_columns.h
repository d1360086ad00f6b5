#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/records.h"

// The columns a new event, conversion or click row is written with, each with the record's value
// for it, in one order: the one list behind SQLite's INSERTs (sqlite_write.cc) and PostgreSQL's
// INSERT ... unnest(...) (pg_write_queries.cc) and COPY (pg_copy_events.cc). The store fills
// `id`; bid_id, campaign_id and click_time of a conversion come from its click.
namespace thrad {

// The enrichment columns (schema/sqlite/005_enrichment.sql, schema/postgres/003_enrichment.sql),
// the last ones of every events, conversions and clicks row, in this order. All nullable.
template <typename Column>
void ForEachEnrichmentColumn(const Enrichment& n, Column&& column) {
  column("geo_country", n.geo_country);
  column("geo_region", n.geo_region);
  column("geo_city", n.geo_city);
  column("geo_lat", n.geo_lat);
  column("geo_lon", n.geo_lon);
  column("ua_browser", n.ua_browser);
  column("ua_browser_version", n.ua_browser_version);
  column("ua_os", n.ua_os);
  column("ua_device", n.ua_device);
  column("is_bot", n.is_bot);
}

// How many columns ForEachEnrichmentColumn visits.
inline constexpr int kEnrichmentColumns = 10;

// The enrichment stored in a row's columns `first` .. `first` + kEnrichmentColumns - 1, read
// through `row` (OptText, OptDouble and OptBool): the inverse of ForEachEnrichmentColumn.
template <typename Row>
Enrichment ReadEnrichmentColumns(const Row& row, int first) {
  Enrichment n;
  int i = first;
  n.geo_country = row.OptText(i++);
  n.geo_region = row.OptText(i++);
  n.geo_city = row.OptText(i++);
  n.geo_lat = row.OptDouble(i++);
  n.geo_lon = row.OptDouble(i++);
  n.ua_browser = row.OptText(i++);
  n.ua_browser_version = row.OptText(i++);
  n.ua_os = row.OptText(i++);
  n.ua_device = row.OptText(i++);
  n.is_bot = row.OptBool(i++);
  return n;
}

// Calls `column(name, value)` once per column, in order. `name` is the column as SQL for both
// backends (quoted where a dialect needs it); `value` is a std::string, std::optional<std::string>,
// int64_t, std::optional<int64_t>, std::optional<double> or std::optional<bool>: an lvalue inside
// `e` (valid as long as `e`) or, for a computed value, an rvalue.
template <typename Column>
void ForEachColumn(const EventRecord& e, Column&& column) {
  column("partner_id", e.partner_id);
  column("key_id", e.key_id);
  column("event_name", e.event_name);
  column("tag_id", e.tag_id);
  column("event_id", e.event_id);
  column("\"timestamp\"", e.timestamp);  // a type name in PostgreSQL
  column("page_url", e.page_url);
  column("referrer", e.referrer);
  column("user_agent", e.user_agent);
  column("session_id", e.session_id);
  column("client_id", e.client_id);
  column("attribution_type", e.attribution_type);
  column("impression_id", e.impression_id);
  column("click_id", e.click_id);
  column("bid_id", e.bid_id);
  column("impression_state", e.impression_state);
  column("view_time_ms", e.view_time_ms);
  column("consent_json", e.consent_json);
  column("params_json", e.params_json);
  column("channel", e.channel);
  column("client_ip", e.client_ip);
  column("received_at", int64_t{e.received_at});
  ForEachEnrichmentColumn(e.enrichment, column);
}

template <typename Column>
void ForEachColumn(const ConversionRecord& c, Column&& column) {
  column("partner_id", c.partner_id);
  column("key_id", c.key_id);
  column("click_id", c.click_id);
  column("bid_id", c.bid_id);
  column("campaign_id", c.campaign_id);
  column("conversion_time", int64_t{c.conversion_time});
  column("value_micros", int64_t{c.value_micros});
  column("currency", c.currency);
  column("event_type", c.event_type);
  column("order_id", c.order_id);
  column("event_id", c.event_id);
  column("tag_id", c.tag_id);
  column("session_id", c.session_id);
  column("client_id", c.client_id);
  column("page_url", c.page_url);
  column("referrer", c.referrer);
  column("user_agent", c.user_agent);
  column("dedup_key", c.dedup_key);
  column("dedup_source", DedupSourceName(c.dedup_source));
  column("params_json", c.params_json);
  column("client_ip", c.client_ip);
  column("received_at", int64_t{c.received_at});
  column("click_time", c.click_time);
  ForEachEnrichmentColumn(c.enrichment, column);
}

template <typename Column>
void ForEachColumn(const ClickRecord& c, Column&& column) {
  column("partner_id", c.partner_id);
  column("click_id", c.click_id);
  column("bid_id", c.bid_id);
  column("campaign_id", c.campaign_id);
  column("clicked_at", int64_t{c.created_at});
  column("tag_id", c.tag_id);
  column("landing_url", c.landing_url);
  column("client_ip", c.client_ip);
  column("user_agent", c.user_agent);
  column("referrer", c.referrer);
  column("exp", c.exp);
  column("source", c.source);
  column("filter_reason", c.filter_reason);
  ForEachEnrichmentColumn(c.enrichment, column);
}

// The click stored in a row whose columns from `first` on are ColumnNames<ClickRecord>(), read
// through `row`: anything with OptText(i), Int64(i), OptInt64(i), OptDouble(i) and OptBool(i) for
// a 0-based column i (an SqliteStatement, a PgRow). The inverse of ForEachColumn(ClickRecord).
template <typename Row>
ClickRecord ReadClickColumns(const Row& row, int first = 0) {
  ClickRecord c;
  int i = first;
  c.partner_id = row.OptText(i++).value_or("");
  c.click_id = row.OptText(i++).value_or("");
  c.bid_id = row.OptText(i++);
  c.campaign_id = row.OptText(i++);
  c.created_at = row.Int64(i++);
  c.tag_id = row.OptText(i++);
  c.landing_url = row.OptText(i++);
  c.client_ip = row.OptText(i++);
  c.user_agent = row.OptText(i++);
  c.referrer = row.OptText(i++);
  c.exp = row.OptInt64(i++);
  c.source = row.OptText(i++).value_or("");
  c.filter_reason = row.OptText(i++);
  c.enrichment = ReadEnrichmentColumns(row, i);
  return c;
}

// How many columns ForEachColumn visits for a `Record`.
template <typename Record>
int ColumnCount() {
  static const int count = [] {
    int n = 0;
    ForEachColumn(Record{}, [&n](std::string_view, auto&&) { ++n; });
    return n;
  }();
  return count;
}

// "partner_id, key_id, ...": the names of the columns ForEachColumn visits for a `Record`.
template <typename Record>
const std::string& ColumnNames() {
  static const std::string* const names = [] {
    auto* list = new std::string();
    ForEachColumn(Record{}, [list](std::string_view name, auto&&) {
      if (!list->empty()) *list += ", ";
      *list += name;
    });
    return list;
  }();
  return *names;
}

}  // namespace thrad
