// PostgresStore: the reports role (ReportStore) on a read connection of its own, so a report
// never holds up key look-ups or the writer.
#include <charconv>
#include <string>

#include "store/export_format.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_text.h"
#include "store/rollup_sql.h"

namespace thrad {
namespace {

constexpr std::string_view kCursorPrefix = "p1.";

std::vector<std::optional<std::string>> RangeParams(const RollupQuery& q) {
  std::vector<std::optional<std::string>> p = {std::to_string(q.from_bucket),
                                               std::to_string(q.to_bucket)};
  if (q.partner_id) p.push_back(PgTextParam(*q.partner_id));
  if (RollupPeriodsParam(q)) {  // an int8[] in text form: {s1,s2,...}
    std::string starts = "{";
    for (int64_t s : q.periods) {
      if (starts.size() > 1) starts += ',';
      starts += std::to_string(s);
    }
    p.push_back(starts + "}");
  }
  return p;
}

std::optional<std::string> OptDim(const PgResult& r, int row, int column) {
  if (r.IsNull(row, column)) return std::nullopt;
  return RollupDimValue(r.Str(row, column));
}

// "p1.<tx>.<id>" -> (tx, id); nullopt when malformed.
std::optional<std::pair<uint64_t, int64_t>> ParseCursor(std::string_view c) {
  if (!c.starts_with(kCursorPrefix)) return std::nullopt;
  c.remove_prefix(kCursorPrefix.size());
  const size_t dot = c.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  uint64_t tx = 0;
  int64_t id = 0;
  auto [e1, ec1] = std::from_chars(c.data(), c.data() + dot, tx);
  auto [e2, ec2] = std::from_chars(c.data() + dot + 1, c.data() + c.size(), id);
  if (ec1 != std::errc() || e1 != c.data() + dot || ec2 != std::errc() ||
      e2 != c.data() + c.size() || id < 0 || dot == 0) {
    return std::nullopt;
  }
  return std::make_pair(tx, id);
}

}  // namespace

Result<PgResult> PostgresStore::RunReport(const PgQuery& query) {
  std::lock_guard lock(reports_mu_);
  return Run(reports_, query);
}

Status PostgresStore::ReadEventRollups(const RollupQuery& q,
                                       const std::function<void(const EventRollupRow&)>& row) {
  Result<PgResult> r = RunReport({EventRollupSql(q, RollupSqlDialect::kPostgres), RangeParams(q)});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->Rows(); ++i) {
    EventRollupRow e;
    e.bucket = r->Int64(i, 0);
    e.tag_id = r->OptText(i, 1);
    e.event_name = r->OptText(i, 2);
    e.events = r->Int64(i, 3);
    row(e);
  }
  return Status::Ok();
}

Status PostgresStore::ReadClickRollups(const RollupQuery& q,
                                       const std::function<void(const ClickRollupRow&)>& row) {
  Result<PgResult> r = RunReport({ClickRollupSql(q, RollupSqlDialect::kPostgres), RangeParams(q)});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->Rows(); ++i) {
    ClickRollupRow c;
    c.bucket = r->Int64(i, 0);
    c.campaign_id = OptDim(*r, i, 1);
    c.tag_id = OptDim(*r, i, 2);
    c.clicks = r->Int64(i, 3);
    c.filtered_clicks = r->Int64(i, 4);
    row(c);
  }
  return Status::Ok();
}

Status PostgresStore::ReadConversionRollups(
    const RollupQuery& q, const std::function<void(const ConversionRollupRow&)>& row) {
  Result<PgResult> r =
      RunReport({ConversionRollupSql(q, RollupSqlDialect::kPostgres), RangeParams(q)});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->Rows(); ++i) {
    ConversionRollupRow c;
    c.bucket = r->Int64(i, 0);
    c.campaign_id = OptDim(*r, i, 1);
    c.event_type = r->OptText(i, 2);
    c.currency = r->Str(i, 3);
    c.click_tag_id = OptDim(*r, i, 4);
    c.conversions = r->Int64(i, 5);
    std::optional<Micros128> value = ParseMicros128(r->Str(i, 6));
    if (!value) return Status::Internal("rollup value is not a decimal: " + r->Str(i, 6));
    c.value_micros = *value;
    for (int k = 0; k < kLatencyBuckets; ++k) c.latency[k] = r->Int64(i, 7 + k);
    row(c);
  }
  return Status::Ok();
}

Result<ConversionPage> PostgresStore::ListConversions(const ConversionPageQuery& q) {
  std::pair<uint64_t, int64_t> after{0, 0};
  if (!q.after.empty()) {
    auto parsed = ParseCursor(q.after);
    if (!parsed) return Status::InvalidArgument("not a cursor");
    after = *parsed;
  }
  PgQuery query{"SELECT " + export_format::ConversionColumns() +
                    ", coalesce(tx, '0'::xid8)::text FROM conversions "
                    "WHERE received_at >= $1 AND received_at < $2 "
                    "AND (coalesce(tx, '0'::xid8), id) > ($3::xid8, $4::int8) "
                    "AND coalesce(tx, '0'::xid8) < pg_snapshot_xmin(pg_current_snapshot())",
                {std::to_string(q.from), std::to_string(q.to), std::to_string(after.first),
                 std::to_string(after.second)}};
  if (q.partner_id) {
    query.params.push_back(PgTextParam(*q.partner_id));
    query.sql += " AND partner_id = $5";
  }
  query.params.push_back(std::to_string(q.limit));
  query.sql +=
      " ORDER BY coalesce(tx, '0'::xid8), id LIMIT $" + std::to_string(query.params.size());
  Result<PgResult> r = RunReport(query);
  if (!r.ok()) return r.status();
  ConversionPage page;
  const int tx_column = static_cast<int>(export_format::ConversionFieldCount());
  for (int i = 0; i < r->Rows(); ++i) {
    const PgRow row(*r, i);
    page.rows.push_back(export_format::ConversionJson(export_format::ExportRowOf<PgRow>(row)));
    page.last =
        std::string(kCursorPrefix) + r->Str(i, tx_column) + "." + std::to_string(r->Int64(i, 0));
  }
  if (page.rows.empty()) {
    page.last = q.after.empty() ? std::string(kCursorPrefix) + "0.0" : q.after;
  }
  return page;
}

}  // namespace thrad
