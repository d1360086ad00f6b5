// SqliteStore: the reports role (ReportStore) on a read connection of its own, so a report never
// holds up key look-ups or the writer.
#include <sqlite3.h>

#include <charconv>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "store/export_format.h"
#include "store/rollup_sql.h"
#include "store/sqlite/sqlite_store.h"

namespace thrad {
namespace {

constexpr int64_t kMicrosPerUnit = 1'000'000;
constexpr std::string_view kCursorPrefix = "s1.";

void BindRange(SqliteStatement& st, const RollupQuery& q, const RollupStatement& statement) {
  st.Bind(1, q.from_bucket);
  st.Bind(2, q.to_bucket);
  if (q.partner_id) st.Bind(3, *q.partner_id);
  if (int n = RollupPeriodsParam(q)) {
    st.BindBlob(n, std::string_view(reinterpret_cast<const char*>(q.periods.data()),
                                    q.periods.size() * sizeof(int64_t)));
  }
  for (size_t i = 0; i < statement.bounds.size(); ++i) {
    st.Bind(statement.first_bound + static_cast<int>(i), statement.bounds[i]);
  }
}

// thrad_period(bucket, starts): the last of `starts` (a blob of ascending native int64s) that is
// <= bucket, by binary search; NULL when there is none (rollup_sql.h).
void ThradPeriod(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const int64_t bucket = sqlite3_value_int64(argv[0]);
  const auto* blob = static_cast<const unsigned char*>(sqlite3_value_blob(argv[1]));
  const size_t n = static_cast<size_t>(sqlite3_value_bytes(argv[1])) / sizeof(int64_t);
  size_t lo = 0, hi = n;  // the first start > bucket, in [lo, hi]
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    int64_t start;
    std::memcpy(&start, blob + mid * sizeof(int64_t), sizeof start);
    if (start <= bucket) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) {
    sqlite3_result_null(ctx);
    return;
  }
  int64_t start;
  std::memcpy(&start, blob + (lo - 1) * sizeof(int64_t), sizeof start);
  sqlite3_result_int64(ctx, start);
}

template <class Row>
std::optional<std::string> OptText(const Row& st, int column) {
  return st.OptText(column);
}

template <class Row>
std::optional<std::string> OptDim(const Row& st, int column) {
  if (st.IsNull(column)) return std::nullopt;
  return RollupDimValue(std::string(st.TextView(column)));
}

// A row of an hour plan's statement (HourPlanOf: the row's kind and bucket, the dimensions,
// the counters) read as a report row: column 0 the period (0 here: the caller sets each period,
// EmitSignedRow), then the dimensions, then the counters as stored.
class HourPlanRow {
 public:
  explicit HourPlanRow(const SqliteStatement& st) : st_(st) {}
  bool IsNull(int column) const { return st_.IsNull(column + 1); }
  int64_t Int64(int column) const { return column == 0 ? 0 : st_.Int64(column + 1); }
  std::string Text(int column) const { return st_.Text(column + 1); }
  std::string_view TextView(int column) const { return st_.TextView(column + 1); }
  std::optional<std::string> OptText(int column) const { return st_.OptText(column + 1); }

 private:
  const SqliteStatement& st_;
};

// Runs `statement` with the range bound and calls `row` with each of its rows as `decode` (a
// reader of a statement's or an HourPlanRow's columns) reads them; an hour plan's rows
// (HourPlanOf) once per period they count in, negated where they are taken away
// (ReportStore: the caller adds up the rows of a group).
template <class Row, typename Decode>
Status ForEachRow(SqliteDb& db, const RollupStatement& statement, const RollupQuery& q,
                  Decode&& decode, const std::function<void(const Row&)>& row) {
  Result<SqliteStatement> st = db.Prepare(statement.sql);
  if (!st.ok()) return st.status();
  BindRange(*st, q, statement);
  const std::optional<RollupHourPlan> plan = HourPlanOf(q);
  while (true) {
    Result<bool> more = st->Step();
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    if (!plan) {
      row(decode(*st));
      continue;
    }
    const SignedPeriods periods = HourPlanRowPeriods(q, *plan, st->Int64(0), st->Int64(1));
    if (periods.size == 0) continue;
    Row r = decode(HourPlanRow(*st));
    EmitSignedRow(r, periods, row);
  }
}

}  // namespace

Result<SqliteDb*> SqliteStore::ReportsDb() {
  if (!reports_) {
    Result<std::unique_ptr<SqliteDb>> db = Connect();
    if (!db.ok()) return db.status();
    const int rc =
        sqlite3_create_function((*db)->raw(), "thrad_period", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                nullptr, ThradPeriod, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteError(rc, "register thrad_period", (*db)->raw());
    reports_ = std::move(db).value();
  }
  return reports_.get();
}

Status SqliteStore::ReadEventRollups(const RollupQuery& q,
                                     const std::function<void(const EventRollupRow&)>& row) {
  std::lock_guard lock(reports_mu_);
  Result<SqliteDb*> db = ReportsDb();
  if (!db.ok()) return db.status();
  auto decode = [](const auto& st) {
    EventRollupRow r;
    r.bucket = st.Int64(0);
    r.tag_id = OptText(st, 1);
    r.event_name = OptText(st, 2);
    r.events = st.Int64(3);
    return r;
  };
  return ForEachRow(**db, EventRollupSql(q, RollupSqlDialect::kSqlite), q, decode, row);
}

Status SqliteStore::ReadClickRollups(const RollupQuery& q,
                                     const std::function<void(const ClickRollupRow&)>& row) {
  std::lock_guard lock(reports_mu_);
  Result<SqliteDb*> db = ReportsDb();
  if (!db.ok()) return db.status();
  auto decode = [](const auto& st) {
    ClickRollupRow r;
    r.bucket = st.Int64(0);
    r.campaign_id = OptDim(st, 1);
    r.tag_id = OptDim(st, 2);
    r.clicks = st.Int64(3);
    r.filtered_clicks = st.Int64(4);
    return r;
  };
  return ForEachRow(**db, ClickRollupSql(q, RollupSqlDialect::kSqlite), q, decode, row);
}

Status SqliteStore::ReadConversionRollups(
    const RollupQuery& q, const std::function<void(const ConversionRollupRow&)>& row) {
  std::lock_guard lock(reports_mu_);
  Result<SqliteDb*> db = ReportsDb();
  if (!db.ok()) return db.status();
  auto decode = [&q](const auto& st) {
    ConversionRollupRow r;
    r.bucket = st.Int64(0);
    r.campaign_id = OptDim(st, 1);
    r.event_type = OptText(st, 2);
    r.currency = st.Text(3);
    r.click_tag_id = OptDim(st, 4);
    r.conversions = st.Int64(5);
    r.value_micros = Micros128{st.Int64(6)} * kMicrosPerUnit + st.Int64(7);
    if (q.latency) {
      for (int i = 0; i < kLatencyBuckets; ++i) r.latency[i] = st.Int64(8 + i);
    }
    return r;
  };
  return ForEachRow(**db, ConversionRollupSql(q, RollupSqlDialect::kSqlite), q, decode, row);
}

// The cursor is the last row's id: ids are assigned inside the write transaction, which holds
// the database's one write lock until it commits, so they become visible in ascending order.
Result<ConversionPage> SqliteStore::ListConversions(const ConversionPageQuery& q) {
  int64_t after = 0;
  if (!q.after.empty()) {
    std::string_view c = q.after;
    if (!c.starts_with(kCursorPrefix)) return Status::InvalidArgument("not a cursor");
    c.remove_prefix(kCursorPrefix.size());
    auto [end, ec] = std::from_chars(c.data(), c.data() + c.size(), after);
    if (ec != std::errc() || end != c.data() + c.size() || after < 0) {
      return Status::InvalidArgument("not a cursor");
    }
  }
  std::string sql = "SELECT " + export_format::ConversionColumns() +
                    " FROM conversions WHERE id > ?1 AND received_at >= ?2 AND received_at < ?3";
  if (q.partner_id) sql += " AND partner_id = ?5";
  sql += " ORDER BY id LIMIT ?4";
  std::lock_guard lock(reports_mu_);
  Result<SqliteDb*> db = ReportsDb();
  if (!db.ok()) return db.status();
  Result<SqliteStatement> st = (*db)->Prepare(sql);
  if (!st.ok()) return st.status();
  st->Bind(1, after);
  st->Bind(2, int64_t{q.from});
  st->Bind(3, int64_t{q.to});
  st->Bind(4, static_cast<int64_t>(q.limit));
  if (q.partner_id) st->Bind(5, *q.partner_id);
  ConversionPage page;
  while (true) {
    Result<bool> more = st->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    page.rows.push_back(
        export_format::ConversionJson(export_format::ExportRowOf<SqliteStatement>(*st)));
    page.last = std::string(kCursorPrefix) + std::to_string(st->Int64(0));
  }
  if (page.rows.empty()) page.last = q.after.empty() ? std::string(kCursorPrefix) + "0" : q.after;
  return page;
}

}  // namespace thrad
