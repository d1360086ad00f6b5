// PostgresStore: export of stored events and conversions as JSON lines, field for field the
// same as the SQLite store's (both use store/export_format.h).
#include <string>

#include "store/export_format.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_text.h"

namespace thrad {
namespace {

// The shared export row over one row of a result (Stream hands over one row at a time).
class ResultRow final : public export_format::ExportRow {
 public:
  ResultRow(const PgResult& r, int row) : r_(r), row_(row) {}
  int64_t Int64(int column) const override { return r_.Int64(row_, column); }
  std::optional<int64_t> OptInt64(int column) const override { return r_.OptInt64(row_, column); }
  std::optional<std::string> OptText(int column) const override { return r_.OptText(row_, column); }

 private:
  const PgResult& r_;
  const int row_;
};

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

}  // namespace

Status PostgresStore::Export(const PgQuery& query, bool conversions,
                             const std::function<Status(const std::string&)>& row) {
  // A connection of its own: a long export never blocks key look-ups or writes. It reads one
  // snapshot (a single statement) and streams row by row.
  Result<std::unique_ptr<PgConn>> conn = PgConn::Connect(url_);
  if (!conn.ok()) return conn.status();
  return (*conn)->Stream(query, [&](const PgResult& r) {
    const ResultRow result_row(r, 0);
    return row(conversions ? export_format::ConversionJson(result_row)
                           : export_format::EventJson(result_row));
  });
}

Status PostgresStore::ExportEvents(const ExportFilter& filter,
                                   const std::function<Status(const std::string&)>& row) {
  return Export(ExportQuery(export_format::EventColumns(), "events", filter), false, row);
}

Status PostgresStore::ExportConversions(const ExportFilter& filter,
                                        const std::function<Status(const std::string&)>& row) {
  return Export(ExportQuery(export_format::ConversionColumns(), "conversions", filter), true, row);
}

}  // namespace thrad
