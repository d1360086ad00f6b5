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

// Calls `column(name, value)` once per column, in order. `name` is the column as SQL for both
// backends (quoted where a dialect needs it); `value` is a std::string, std::optional<std::string>,
// int64_t or std::optional<int64_t>: an lvalue inside `e` (valid as long as `e`) or, for a
// computed value, an rvalue.
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
}

// The click stored in a row whose columns from `first` on are ColumnNames<ClickRecord>(), read
// through `row`: anything with OptText(i), Int64(i) and OptInt64(i) for a 0-based column i (an
// SqliteStatement, an export_format::ExportRow). The inverse of ForEachColumn(ClickRecord).
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
