// SqliteStore: export of stored events and conversions as JSON lines.
#include <string>

#include "common/decimal.h"
#include "common/time_format.h"
#include "store/sqlite/export_format.h"
#include "store/sqlite/sqlite_store.h"

namespace thrad {
namespace {

using export_format::JsonObjectWriter;

boost::json::value OptString(const SqliteStatement& s, int column) {
  if (s.IsNull(column)) return nullptr;
  return boost::json::string(s.Text(column));
}

boost::json::value OptInt(const SqliteStatement& s, int column) {
  if (s.IsNull(column)) return nullptr;
  return s.Int64(column);
}

boost::json::value Time(const SqliteStatement& s, int column) {
  return boost::json::string(FormatRfc3339(s.Int64(column)));
}

// "SELECT <columns> FROM <table> [WHERE ...] ORDER BY id" with ?1 = since, ?2 = partner_id
// when the filter has them (conditions are only added when set, so indexes stay usable).
std::string ExportQuery(std::string_view columns, std::string_view table,
                        const ExportFilter& filter) {
  std::string sql = "SELECT " + std::string(columns) + " FROM " + std::string(table);
  const char* glue = " WHERE ";
  if (filter.since.has_value()) {
    sql += glue;
    sql += "received_at >= ?1";
    glue = " AND ";
  }
  if (filter.partner_id.has_value()) {
    sql += glue;
    sql += "partner_id = ?2";
  }
  return sql + " ORDER BY id";
}

std::string EventJson(const SqliteStatement& s) {
  JsonObjectWriter w;
  int i = 0;
  w.Add("id", s.Int64(i++));
  for (const char* name : {"partner_id", "key_id", "event_name", "tag_id", "event_id"}) {
    w.Add(name, OptString(s, i++));
  }
  w.Add("timestamp", OptInt(s, i++));
  for (const char* name :
       {"page_url", "referrer", "user_agent", "session_id", "client_id", "attribution_type",
        "impression_id", "click_id", "bid_id", "impression_state"}) {
    w.Add(name, OptString(s, i++));
  }
  w.Add("view_time_ms", OptInt(s, i++));
  w.Add("consent", export_format::StoredJson(s.OptText(i++)));
  w.Add("params", export_format::StoredJson(s.OptText(i++)));
  w.Add("channel", OptString(s, i++));
  w.Add("client_ip", OptString(s, i++));
  w.Add("received_at", Time(s, i++));
  return std::move(w).Finish();
}

constexpr std::string_view kEventColumns =
    "id, partner_id, key_id, event_name, tag_id, event_id, timestamp, page_url, referrer, "
    "user_agent, session_id, client_id, attribution_type, impression_id, click_id, bid_id, "
    "impression_state, view_time_ms, consent_json, params_json, channel, client_ip, received_at";

std::string ConversionJson(const SqliteStatement& s) {
  JsonObjectWriter w;
  int i = 0;
  w.Add("id", s.Int64(i++));
  for (const char* name : {"partner_id", "key_id", "click_id", "bid_id", "campaign_id"}) {
    w.Add(name, OptString(s, i++));
  }
  w.Add("conversion_time", Time(s, i++));
  const int64_t micros = s.Int64(i++);
  w.AddRaw("conversion_value", FormatMicros(micros));
  w.Add("conversion_value_micros", micros);
  for (const char* name :
       {"currency", "event_type", "order_id", "event_id", "tag_id", "session_id", "client_id",
        "page_url", "referrer", "user_agent", "dedup_key", "dedup_source"}) {
    w.Add(name, OptString(s, i++));
  }
  w.Add("params", export_format::StoredJson(s.OptText(i++)));
  w.Add("client_ip", OptString(s, i++));
  w.Add("received_at", Time(s, i++));
  return std::move(w).Finish();
}

constexpr std::string_view kConversionColumns =
    "id, partner_id, key_id, click_id, bid_id, campaign_id, conversion_time, value_micros, "
    "currency, event_type, order_id, event_id, tag_id, session_id, client_id, page_url, "
    "referrer, user_agent, dedup_key, dedup_source, params_json, client_ip, received_at";

// Streams the query's rows through `to_json` into `row` on a connection of its own.
template <typename ToJson>
Status StreamRows(SqliteDb& db, const std::string& sql, const ExportFilter& filter, ToJson to_json,
                  const std::function<Status(const std::string&)>& row) {
  Result<SqliteStatement> query = db.Prepare(sql);
  if (!query.ok()) return query.status();
  if (filter.since.has_value()) query->Bind(1, int64_t{*filter.since});
  if (filter.partner_id.has_value()) query->Bind(2, *filter.partner_id);
  while (true) {
    Result<bool> more = query->Step();
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    THRAD_RETURN_IF_ERROR(row(to_json(*query)));
  }
}

}  // namespace

Status SqliteStore::ExportEvents(const ExportFilter& filter,
                                 const std::function<Status(const std::string&)>& row) {
  Result<std::unique_ptr<SqliteDb>> db = Connect();
  if (!db.ok()) return db.status();
  return StreamRows(**db, ExportQuery(kEventColumns, "events", filter), filter, EventJson, row);
}

Status SqliteStore::ExportConversions(const ExportFilter& filter,
                                      const std::function<Status(const std::string&)>& row) {
  Result<std::unique_ptr<SqliteDb>> db = Connect();
  if (!db.ok()) return db.status();
  return StreamRows(**db, ExportQuery(kConversionColumns, "conversions", filter), filter,
                    ConversionJson, row);
}

}  // namespace thrad
