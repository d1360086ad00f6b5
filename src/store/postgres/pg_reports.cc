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

// The statement of a rollup read with its parameters: RangeParams (rollup_sql.h's first
// ones), then its bounds (numbered from statement.first_bound, right after them).
PgQuery RollupPgQuery(const RollupQuery& q, RollupStatement statement) {
  PgQuery query{std::move(statement.sql), RangeParams(q)};
  for (int64_t b : statement.bounds) query.params.push_back(std::to_string(b));
  return query;
}

// One row of a report statement as the readers take it: column 0 the period, then the
// dimensions, then the counters as stored. An hour plan's row (HourPlanOf) has its kind and
// bucket first (`shift` 1); the caller sets each of its periods (ForEachReportRow).
class ReportRow {
 public:
  ReportRow(const PgResult& r, int row, int shift, int64_t period)
      : r_(r), row_(row), shift_(shift), period_(period) {}
  int64_t Period() const { return period_; }
  std::optional<std::string> Dim(int column) const {
    if (r_.IsNull(row_, column + shift_)) return std::nullopt;
    return RollupDimValue(r_.Str(row_, column + shift_));
  }
  std::optional<std::string> OptText(int column) const { return r_.OptText(row_, column + shift_); }
  std::string Str(int column) const { return r_.Str(row_, column + shift_); }
  std::string_view Text(int column) const { return r_.Text(row_, column + shift_); }
  int64_t Count(int column) const { return r_.Int64(row_, column + shift_); }

 private:
  const PgResult& r_;
  int row_, shift_;
  int64_t period_;
};

// Calls `row` with each row of `r` (the statement of `q`) as `decode` (Status(const ReportRow&,
// Row&)) reads it; an hour plan's rows once per period they count in, negated where they are
// taken away (ReportStore: the caller adds up the rows of a group). Stops at the first error.
template <class Row, typename Decode>
Status ForEachReportRow(const PgResult& r, const RollupQuery& q, Decode&& decode,
                        const std::function<void(const Row&)>& row) {
  const std::optional<RollupHourPlan> plan = HourPlanOf(q);
  for (int i = 0; i < r.Rows(); ++i) {
    Row out;
    if (!plan) {
      THRAD_RETURN_IF_ERROR(decode(ReportRow(r, i, 0, r.Int64(i, 0)), out));
      row(out);
      continue;
    }
    const SignedPeriods periods = HourPlanRowPeriods(q, *plan, r.Int64(i, 0), r.Int64(i, 1));
    if (periods.size == 0) continue;
    THRAD_RETURN_IF_ERROR(decode(ReportRow(r, i, 1, 0), out));
    EmitSignedRow(out, periods, row);
  }
  return Status::Ok();
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
  return Run(reports_, query, /*cached=*/true);
}

Status PostgresStore::ReadEventRollups(const RollupQuery& q,
                                       const std::function<void(const EventRollupRow&)>& row) {
  Result<PgResult> r = RunReport(RollupPgQuery(q, EventRollupSql(q, RollupSqlDialect::kPostgres)));
  if (!r.ok()) return r.status();
  auto decode = [](const ReportRow& in, EventRollupRow& e) {
    e.bucket = in.Period();
    e.tag_id = in.OptText(1);
    e.event_name = in.OptText(2);
    e.events = in.Count(3);
    return Status::Ok();
  };
  return ForEachReportRow(*r, q, decode, row);
}

Status PostgresStore::ReadClickRollups(const RollupQuery& q,
                                       const std::function<void(const ClickRollupRow&)>& row) {
  Result<PgResult> r = RunReport(RollupPgQuery(q, ClickRollupSql(q, RollupSqlDialect::kPostgres)));
  if (!r.ok()) return r.status();
  auto decode = [](const ReportRow& in, ClickRollupRow& c) {
    c.bucket = in.Period();
    c.campaign_id = in.Dim(1);
    c.tag_id = in.Dim(2);
    c.clicks = in.Count(3);
    c.filtered_clicks = in.Count(4);
    return Status::Ok();
  };
  return ForEachReportRow(*r, q, decode, row);
}

Status PostgresStore::ReadConversionRollups(
    const RollupQuery& q, const std::function<void(const ConversionRollupRow&)>& row) {
  Result<PgResult> r =
      RunReport(RollupPgQuery(q, ConversionRollupSql(q, RollupSqlDialect::kPostgres)));
  if (!r.ok()) return r.status();
  auto decode = [&q](const ReportRow& in, ConversionRollupRow& c) {
    c.bucket = in.Period();
    c.campaign_id = in.Dim(1);
    c.event_type = in.OptText(2);
    c.currency = in.Str(3);
    c.click_tag_id = in.Dim(4);
    c.conversions = in.Count(5);
    std::optional<Micros128> value = ParseMicros128(in.Text(6));  // numeric: never escaped
    if (!value) return Status::Internal("rollup value is not a decimal: " + in.Str(6));
    c.value_micros = *value;
    if (q.latency) {
      for (int k = 0; k < kLatencyBuckets; ++k) c.latency[k] = in.Count(7 + k);
    }
    return Status::Ok();
  };
  return ForEachReportRow(*r, q, decode, row);
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
