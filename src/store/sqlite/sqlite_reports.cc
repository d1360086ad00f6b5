// SqliteStore: the reports role (ReportStore) on a read connection of its own, so a report never
// holds up key look-ups or the writer.
#include <sqlite3.h>

#include <charconv>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/export_format.h"
#include "store/rollup_sql.h"
#include "store/sqlite/sqlite_store.h"

namespace thrad {
namespace {

constexpr int64_t kMicrosPerUnit = 1'000'000;
constexpr std::string_view kCursorPrefix = "s1.";

void BindRange(SqliteStatement& st, const RollupQuery& q) {
  st.Bind(1, q.from_bucket);
  st.Bind(2, q.to_bucket);
  if (q.partner_id) st.Bind(3, *q.partner_id);
  if (int n = RollupPeriodsParam(q)) {
    st.BindBlob(n, std::string_view(reinterpret_cast<const char*>(q.periods.data()),
                                    q.periods.size() * sizeof(int64_t)));
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
  return RollupDimValue(st.Text(column));
}

// One group of folded rows (RollupRowsToFold), read like a statement's row: column 0 the
// period, then the dimensions, then the summed counters.
class FoldedRow {
 public:
  FoldedRow(int64_t period, std::vector<std::optional<std::string_view>> dims,
            const std::vector<int64_t>& counters)
      : period_(period), dims_(std::move(dims)), counters_(counters) {}
  bool IsNull(int column) const { return Dim(column) == std::nullopt; }
  int64_t Int64(int column) const {
    return column == 0 ? period_ : counters_[static_cast<size_t>(column) - 1 - dims_.size()];
  }
  std::string Text(int column) const { return std::string(Dim(column).value_or("")); }
  std::optional<std::string> OptText(int column) const {
    std::optional<std::string_view> d = Dim(column);
    return d ? std::optional<std::string>(*d) : std::nullopt;
  }

 private:
  std::optional<std::string_view> Dim(int column) const {
    const size_t i = static_cast<size_t>(column) - 1;
    return i < dims_.size() ? dims_[i] : std::nullopt;
  }
  int64_t period_;
  std::vector<std::optional<std::string_view>> dims_;
  const std::vector<int64_t>& counters_;
};

// Adds up the rows of `st` (RollupRowsToFold: a period to add to, one to take from, `dims`
// dimensions, the counters) per period and dimensions in a hash map, then calls `read` once per
// group whose first counter is not 0.
template <typename Read>
Status FoldRows(SqliteStatement& st, size_t dims, Read&& read) {
  const size_t counters = static_cast<size_t>(st.ColumnCount()) - 2 - dims;
  // The key: the period's 8 bytes, then per dimension "\0" (NULL) or "\1", its length (4 bytes)
  // and its bytes.
  std::unordered_map<std::string, std::vector<int64_t>> groups;
  groups.reserve(16384);
  std::string key;
  auto add = [&](int64_t period, int sign) {
    std::memcpy(key.data(), &period, sizeof period);
    std::vector<int64_t>& sums = groups[key];
    if (sums.empty()) sums.assign(counters, 0);
    for (size_t i = 0; i < counters; ++i) {
      sums[i] += sign * st.Int64(static_cast<int>(2 + dims + i));
    }
  };
  while (true) {
    Result<bool> more = st.Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    const bool plus = !st.IsNull(0), minus = !st.IsNull(1);
    if (plus && minus && st.Int64(0) == st.Int64(1)) continue;  // taken and added back
    key.assign(sizeof(int64_t), '\0');
    for (size_t i = 0; i < dims; ++i) {
      const int c = static_cast<int>(2 + i);
      if (st.IsNull(c)) {
        key.push_back('\0');
        continue;
      }
      const std::string_view text = st.TextView(c);
      const auto size = static_cast<uint32_t>(text.size());
      key.push_back('\1');
      key.append(reinterpret_cast<const char*>(&size), sizeof size);
      key.append(text);
    }
    if (plus) add(st.Int64(0), 1);
    if (minus) add(st.Int64(1), -1);
  }
  for (const auto& [k, sums] : groups) {
    if (sums.front() == 0) continue;  // its rows cancelled out: no count in this period
    int64_t period;
    std::memcpy(&period, k.data(), sizeof period);
    std::vector<std::optional<std::string_view>> values;
    size_t at = sizeof period;
    for (size_t i = 0; i < dims; ++i) {
      if (k[at++] == '\0') {
        values.emplace_back(std::nullopt);
        continue;
      }
      uint32_t size;
      std::memcpy(&size, k.data() + at, sizeof size);
      at += sizeof size;
      values.emplace_back(std::string_view(k).substr(at, size));
      at += size;
    }
    read(FoldedRow(period, std::move(values), sums));
  }
  return Status::Ok();
}

// Runs `sql` with the range bound and calls `read` per row (per folded group when the query's
// rows are to be folded); `dims`: the kind's number of dimensions.
template <typename Read>
Status ForEachRow(SqliteDb& db, const std::string& sql, const RollupQuery& q, size_t dims,
                  Read&& read) {
  Result<SqliteStatement> st = db.Prepare(sql);
  if (!st.ok()) return st.status();
  BindRange(*st, q);
  if (RollupRowsToFold(q, RollupSqlDialect::kSqlite)) return FoldRows(*st, dims, read);
  while (true) {
    Result<bool> more = st->Step();
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    read(*st);
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
  return ForEachRow(**db, EventRollupSql(q, RollupSqlDialect::kSqlite), q, 2, [&](const auto& st) {
    EventRollupRow r;
    r.bucket = st.Int64(0);
    r.tag_id = OptText(st, 1);
    r.event_name = OptText(st, 2);
    r.events = st.Int64(3);
    row(r);
  });
}

Status SqliteStore::ReadClickRollups(const RollupQuery& q,
                                     const std::function<void(const ClickRollupRow&)>& row) {
  std::lock_guard lock(reports_mu_);
  Result<SqliteDb*> db = ReportsDb();
  if (!db.ok()) return db.status();
  return ForEachRow(**db, ClickRollupSql(q, RollupSqlDialect::kSqlite), q, 2, [&](const auto& st) {
    ClickRollupRow r;
    r.bucket = st.Int64(0);
    r.campaign_id = OptDim(st, 1);
    r.tag_id = OptDim(st, 2);
    r.clicks = st.Int64(3);
    r.filtered_clicks = st.Int64(4);
    row(r);
  });
}

Status SqliteStore::ReadConversionRollups(
    const RollupQuery& q, const std::function<void(const ConversionRollupRow&)>& row) {
  std::lock_guard lock(reports_mu_);
  Result<SqliteDb*> db = ReportsDb();
  if (!db.ok()) return db.status();
  return ForEachRow(**db, ConversionRollupSql(q, RollupSqlDialect::kSqlite), q, 4,
                    [&](const auto& st) {
                      ConversionRollupRow r;
                      r.bucket = st.Int64(0);
                      r.campaign_id = OptDim(st, 1);
                      r.event_type = OptText(st, 2);
                      r.currency = st.Text(3);
                      r.click_tag_id = OptDim(st, 4);
                      r.conversions = st.Int64(5);
                      r.value_micros = Micros128{st.Int64(6)} * kMicrosPerUnit + st.Int64(7);
                      for (int i = 0; i < kLatencyBuckets; ++i) r.latency[i] = st.Int64(8 + i);
                      row(r);
                    });
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
