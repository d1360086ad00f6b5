// PostgresStore: export of stored events, conversions and clicks as JSON lines, field for field the
// same as the SQLite store's (both use store/export_format.h).
#include <string>

#include "store/export_format.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_text.h"

namespace thrad {
namespace {

// Export order: events and conversions by id; clicks, which have none, by clicked_at (their
// index) and then by identity, byte-wise (the columns' "C" collation), as in the SQLite store.
constexpr std::string_view kById = "id";
constexpr std::string_view kByClickedAt = "clicked_at, partner_id, click_id";

// "SELECT <columns> FROM <table> [WHERE ...] ORDER BY <order>": each condition only when the
// filter has it (so the matching index is usable), each with its own parameter. `since` applies
// to `time_column`.
PgQuery ExportQuery(std::string_view columns, std::string_view table, const ExportFilter& filter,
                    std::string_view time_column = "received_at", std::string_view order = kById) {
  PgQuery q{"SELECT " + std::string(columns) + " FROM " + std::string(table), {}};
  const char* glue = " WHERE ";
  if (filter.since.has_value()) {
    q.params.push_back(std::to_string(*filter.since));
    q.sql += glue + std::string(time_column) + " >= $" + std::to_string(q.params.size());
    glue = " AND ";
  }
  if (filter.partner_id.has_value()) {
    q.params.push_back(PgTextParam(*filter.partner_id));
    q.sql += glue + std::string("partner_id = $") + std::to_string(q.params.size());
  }
  q.sql += " ORDER BY " + std::string(order);
  return q;
}

}  // namespace

Status PostgresStore::Export(const PgQuery& query, ExportJson to_json,
                             const std::function<Status(const std::string&)>& row) {
  // A connection of its own: a long export never blocks key look-ups or writes. It reads one
  // snapshot (a single statement) and streams row by row.
  Result<std::unique_ptr<PgConn>> conn = PgConn::Connect(url_);
  if (!conn.ok()) return conn.status();
  return (*conn)->Stream(query, [&](const PgResult& r) {
    const PgRow result_row(r, 0);
    return row(to_json(export_format::ExportRowOf<PgRow>(result_row)));
  });
}

Status PostgresStore::ExportEvents(const ExportFilter& filter,
                                   const std::function<Status(const std::string&)>& row) {
  return Export(ExportQuery(export_format::EventColumns(), "events", filter),
                export_format::EventJson, row);
}

Status PostgresStore::ExportConversions(const ExportFilter& filter,
                                        const std::function<Status(const std::string&)>& row) {
  return Export(ExportQuery(export_format::ConversionColumns(), "conversions", filter),
                export_format::ConversionJson, row);
}

Status PostgresStore::ExportClicks(const ExportFilter& filter,
                                   const std::function<Status(const std::string&)>& row) {
  return Export(
      ExportQuery(export_format::ClickColumns(), "clicks", filter, "clicked_at", kByClickedAt),
      export_format::ClickJson, row);
}

}  // namespace thrad
