// SqliteStore: export of stored events and conversions as JSON lines.
#include <string>

#include "store/export_format.h"
#include "store/sqlite/sqlite_spans.h"
#include "store/sqlite/sqlite_store.h"

namespace thrad {
namespace {

// The shared export row over the statement's current row.
class StatementRow final : public export_format::ExportRow {
 public:
  explicit StatementRow(const SqliteStatement& s) : s_(s) {}
  int64_t Int64(int column) const override { return s_.Int64(column); }
  std::optional<int64_t> OptInt64(int column) const override { return s_.OptInt64(column); }
  std::optional<std::string> OptText(int column) const override { return s_.OptText(column); }

 private:
  const SqliteStatement& s_;
};

// Conversions have an index on received_at; events have event_spans (sqlite_spans.h).
constexpr std::string_view kConversionsReceivedSince = "received_at >= ?1";

// "SELECT <columns> FROM <table> [WHERE ...] ORDER BY id" with ?1 = since (the condition
// `since`), ?2 = partner_id when the filter has them (conditions are only added when set, so
// indexes stay usable).
std::string ExportQuery(std::string_view columns, std::string_view table, std::string_view since,
                        const ExportFilter& filter) {
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
  return sql + " ORDER BY id";
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
    THRAD_RETURN_IF_ERROR(row(to_json(StatementRow(*query))));
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

}  // namespace thrad
