// PostgresStore: export of stored events and conversions as JSON lines, field for field the
// same as the SQLite store's (store/sqlite/export_format.h).
#include <string>

#include "common/decimal.h"
#include "common/time_format.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/export_format.h"

namespace thrad {
namespace {

using export_format::JsonObjectWriter;

boost::json::value OptString(const PgResult& r, int column) {
  if (r.IsNull(0, column)) return nullptr;
  return boost::json::string(r.Str(0, column));
}

boost::json::value OptInt(const PgResult& r, int column) {
  if (r.IsNull(0, column)) return nullptr;
  return r.Int64(0, column);
}

boost::json::value Time(const PgResult& r, int column) {
  return boost::json::string(FormatRfc3339(r.Int64(0, column)));
}

// "SELECT <columns> FROM <table> [WHERE ...] ORDER BY id": each condition only when the filter
// has it (so the matching index is usable), each with its own parameter.
PgQuery ExportQuery(std::string_view columns, std::string_view table, const ExportFilter& filter) {
  PgQuery q{"SELECT " + std::string(columns) + " FROM " + std::string(table), {}};
  const char* glue = " WHERE ";
  if (filter.since.has_value()) {
    q.params.push_back(std::to_string(*filter.since));
    q.sql += glue + std::string("received_at >= $") + std::to_string(q.params.size());
    glue = " AND ";
  }
  if (filter.partner_id.has_value()) {
    q.params.push_back(PgTextParam(*filter.partner_id));
    q.sql += glue + std::string("partner_id = $") + std::to_string(q.params.size());
  }
  q.sql += " ORDER BY id";
  return q;
}

constexpr std::string_view kEventColumns =
    "id, partner_id, key_id, event_name, tag_id, event_id, \"timestamp\", page_url, referrer, "
    "user_agent, session_id, client_id, attribution_type, impression_id, click_id, bid_id, "
    "impression_state, view_time_ms, consent_json, params_json, channel, client_ip, received_at";

std::string EventJson(const PgResult& r) {
  JsonObjectWriter w;
  int i = 0;
  w.Add("id", r.Int64(0, i++));
  for (const char* name : {"partner_id", "key_id", "event_name", "tag_id", "event_id"}) {
    w.Add(name, OptString(r, i++));
  }
  w.Add("timestamp", OptInt(r, i++));
  for (const char* name :
       {"page_url", "referrer", "user_agent", "session_id", "client_id", "attribution_type",
        "impression_id", "click_id", "bid_id", "impression_state"}) {
    w.Add(name, OptString(r, i++));
  }
  w.Add("view_time_ms", OptInt(r, i++));
  w.Add("consent", export_format::StoredJson(r.OptText(0, i++)));
  w.Add("params", export_format::StoredJson(r.OptText(0, i++)));
  w.Add("channel", OptString(r, i++));
  w.Add("client_ip", OptString(r, i++));
  w.Add("received_at", Time(r, i++));
  return std::move(w).Finish();
}

constexpr std::string_view kConversionColumns =
    "id, partner_id, key_id, click_id, bid_id, campaign_id, conversion_time, value_micros, "
    "currency, event_type, order_id, event_id, tag_id, session_id, client_id, page_url, "
    "referrer, user_agent, dedup_key, dedup_source, params_json, client_ip, received_at";

std::string ConversionJson(const PgResult& r) {
  JsonObjectWriter w;
  int i = 0;
  w.Add("id", r.Int64(0, i++));
  for (const char* name : {"partner_id", "key_id", "click_id", "bid_id", "campaign_id"}) {
    w.Add(name, OptString(r, i++));
  }
  w.Add("conversion_time", Time(r, i++));
  const int64_t micros = r.Int64(0, i++);
  w.AddRaw("conversion_value", FormatMicros(micros));
  w.Add("conversion_value_micros", micros);
  for (const char* name :
       {"currency", "event_type", "order_id", "event_id", "tag_id", "session_id", "client_id",
        "page_url", "referrer", "user_agent", "dedup_key", "dedup_source"}) {
    w.Add(name, OptString(r, i++));
  }
  w.Add("params", export_format::StoredJson(r.OptText(0, i++)));
  w.Add("client_ip", OptString(r, i++));
  w.Add("received_at", Time(r, i++));
  return std::move(w).Finish();
}

}  // namespace

Status PostgresStore::Export(const PgQuery& query, bool conversions,
                             const std::function<Status(const std::string&)>& row) {
  // A connection of its own: a long export never blocks key look-ups or writes. It reads one
  // snapshot (a single statement) and streams row by row.
  Result<std::unique_ptr<PgConn>> conn = PgConn::Connect(url_);
  if (!conn.ok()) return conn.status();
  return (*conn)->Stream(query, [&](const PgResult& r) {
    return row(conversions ? ConversionJson(r) : EventJson(r));
  });
}

Status PostgresStore::ExportEvents(const ExportFilter& filter,
                                   const std::function<Status(const std::string&)>& row) {
  return Export(ExportQuery(kEventColumns, "events", filter), false, row);
}

Status PostgresStore::ExportConversions(const ExportFilter& filter,
                                        const std::function<Status(const std::string&)>& row) {
  return Export(ExportQuery(kConversionColumns, "conversions", filter), true, row);
}

}  // namespace thrad
