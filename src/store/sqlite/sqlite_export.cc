// SqliteStore: export of stored events, conversions and clicks as JSON lines.
#include <string>

#include "store/export_format.h"
#include "store/sqlite/sqlite_clicks.h"
#include "store/sqlite/sqlite_spans.h"
#include "store/sqlite/sqlite_store.h"

namespace thrad {
namespace {

// Conversions have an index on received_at, clicks one on clicked_at; events have event_spans
// (sqlite_spans.h).
constexpr std::string_view kConversionsReceivedSince = "received_at >= ?1";

// Export order: events and conversions by id; clicks, which have none, by clicked_at
// (kClicksExportOrder, sqlite_clicks.h).
constexpr std::string_view kById = "id";

// "SELECT <columns> FROM <table> [WHERE ...] ORDER BY <order>" with ?1 = since (the condition
// `since`), ?2 = partner_id when the filter has them (conditions are only added when set, so
// indexes stay usable).
std::string ExportQuery(std::string_view columns, std::string_view table, std::string_view since,
                        const ExportFilter& filter, std::string_view order = kById) {
  std::string sql = "SELECT " + std::string(columns) + " FROM " + std::string(table);
  const char* glue = " WHERE ";
  if (filter.since.has_value()) {
    sql += glue;
    sql += since;
    glue = " AND ";
  }
  if (filter.partner_id.has_value()) {
    sql += glue;
    sql += "partner_id = ?2";
  }
  return sql + " ORDER BY " + std::string(order);
}

// Streams the query's rows through `to_json` into `row` on a connection of its own.
Status StreamRows(SqliteDb& db, const std::string& sql, const ExportFilter& filter,
                  std::string (*to_json)(const export_format::ExportRow&),
                  const std::function<Status(const std::string&)>& row) {
  Result<SqliteStatement> query = db.Prepare(sql);
  if (!query.ok()) return query.status();
  if (filter.since.has_value()) query->Bind(1, int64_t{*filter.since});
  if (filter.partner_id.has_value()) query->Bind(2, *filter.partner_id);
  while (true) {
    Result<bool> more = query->Step();
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    THRAD_RETURN_IF_ERROR(row(to_json(export_format::ExportRowOf<SqliteStatement>(*query))));
  }
}

}  // namespace

Status SqliteStore::ExportEvents(const ExportFilter& filter,
                                 const std::function<Status(const std::string&)>& row) {
  Result<std::unique_ptr<SqliteDb>> db = Connect();
  if (!db.ok()) return db.status();
  return StreamRows(
      **db, ExportQuery(export_format::EventColumns(), "events", kEventsReceivedSince, filter),
      filter, export_format::EventJson, row);
}

Status SqliteStore::ExportConversions(const ExportFilter& filter,
                                      const std::function<Status(const std::string&)>& row) {
  Result<std::unique_ptr<SqliteDb>> db = Connect();
  if (!db.ok()) return db.status();
  return StreamRows(**db,
                    ExportQuery(export_format::ConversionColumns(), "conversions",
                                kConversionsReceivedSince, filter),
                    filter, export_format::ConversionJson, row);
}

Status SqliteStore::ExportClicks(const ExportFilter& filter,
                                 const std::function<Status(const std::string&)>& row) {
  Result<std::unique_ptr<SqliteDb>> db = Connect();
  if (!db.ok()) return db.status();
  return StreamRows(**db,
                    ExportQuery(export_format::ClickColumns(), "clicks", kClicksClickedSince,
                                filter, kClicksExportOrder),
                    filter, export_format::ClickJson, row);
}

}  // namespace thrad
