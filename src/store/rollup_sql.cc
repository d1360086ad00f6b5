#include "store/rollup_sql.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace thrad {
namespace {

std::string Param(int n, RollupSqlDialect d) {
  return (d == RollupSqlDialect::kSqlite ? "?" : "$") + std::to_string(n);
}

// The statement's bound parameters (RollupStatement), numbered from `first` in the order the
// text asks for them, so that the text depends on the statement's shape only.
class Bounds {
 public:
  Bounds(int first, RollupSqlDialect d) : first_(first), d_(d) {}
  // A new parameter holding v.
  std::string Of(int64_t v) {
    values_.push_back(v);
    return Param(first_ + static_cast<int>(values_.size()) - 1, d_);
  }
  int first() const { return first_; }
  std::vector<int64_t> Take() && { return std::move(values_); }

 private:
  int first_;
  RollupSqlDialect d_;
  std::vector<int64_t> values_;
};

bool HasPeriods(const RollupQuery& q) { return q.by_bucket && !q.periods.empty(); }

// Whether the periods are UTC days, every one from the range's first to its last: the period of
// an instant is then its UTC day, computed, where a search of the starts cost PostgreSQL's
// width_bucket 0.5 of 1.3-2.1 ms in a UTC clicks report's statement (docs/benchmarks.md,
// sessions 19-20).
bool UtcDayPeriods(const RollupQuery& q) {
  if (!HasPeriods(q) || q.from_bucket < 0 || RollupDay(q.periods.front()) != q.periods.front()) {
    return false;
  }
  for (size_t i = 1; i < q.periods.size(); ++i) {
    if (q.periods[i] - q.periods[i - 1] != kRollupDayMicros) return false;
  }
  return q.to_bucket <= q.periods.back() + kRollupDayMicros;
}

// The period start of a row's bucket: the last of the starts <= it.
std::string PeriodOf(const RollupQuery& q, RollupSqlDialect d) {
  if (UtcDayPeriods(q)) return "((bucket) - (bucket) % " + std::to_string(kRollupDayMicros) + ")";
  const std::string starts = Param(RollupPeriodsParam(q), d);
  if (d == RollupSqlDialect::kSqlite) return "thrad_period(bucket, " + starts + ")";
  return "(" + starts + "::int8[])[width_bucket(bucket, " + starts + "::int8[])]";
}

// The nearest UTC midnight to t (at t - 12 h or later, before t + 12 h).
int64_t NearestMidnight(int64_t t) { return RollupDay(t + kRollupDayMicros / 2); }

// The instant of a day row (or an hour row's day) that is in the period the row is counted in:
// 12 h - 1 µs after the day's start (RollupHourPlan).
int64_t DayNoonOf(int64_t day) { return day + kRollupDayMicros / 2 - 1; }

// The first UTC day start >= t.
int64_t DayCeil(int64_t t) {
  const int64_t floor = RollupDay(t);
  return floor == t ? t : floor + kRollupDayMicros;
}

void Append(std::vector<RollupRange>& out, int64_t from, int64_t to, bool days) {
  if (from >= to) return;
  if (!out.empty() && out.back().days == days && out.back().to == from) {
    out.back().to = to;
  } else {
    out.push_back({from, to, days});
  }
}

// One table's columns, as a report reads them.
struct RollupTable {
  std::string_view name;                   // the quarter hours; the days are name + "_day"
  std::vector<std::string_view> dims;      // in RollupQuery::dims order
  std::vector<std::string_view> counters;  // int64 counters, but PostgreSQL's `value` (numeric)
  std::span<const int> day_groupings;      // rollup.h
  int hour_grouping = 0;                   // rollup.h: every dimension
};

// A counter as the statement returns it: summed (or not, `plain`). PostgreSQL's sums of bigint
// are numeric (the counters fit 64 bits: cast back); its money, numeric, is read as text.
std::string Counter(std::string_view column, RollupSqlDialect d, bool plain) {
  const std::string c(column);
  if (d == RollupSqlDialect::kPostgres && column == "value") {
    return (plain ? c : "sum(" + c + ")") + "::text";
  }
  if (plain) return c;
  return "sum(" + c + ")" + (d == RollupSqlDialect::kPostgres ? "::int8" : "");
}

// The pieces of one statement that every plan shares: the row's period (or 0) and dimensions as
// the answer has them, and the GROUP BY of the dimensions asked for.
struct Shape {
  std::string select;   // <period or 0>, <dim or NULL>... (over the raw columns)
  std::string group;    // "period, <dims asked for>", or just the dims, or ""
  std::string columns;  // bucket, every dimension, every counter: one piece's raw columns
  std::string dims;     // every dimension
  std::string sums;     // , <sum of each counter>
  int needed = 0;       // the dimensions asked for (bitmask)
  int kept = 0;         // the day (and hour) grouping that holds them
};

Shape ShapeOf(const RollupQuery& q, RollupSqlDialect d, const RollupTable& t) {
  Shape s;
  const std::string period = HasPeriods(q) ? PeriodOf(q, d) : "bucket";
  s.select = q.by_bucket ? period + " AS period" : "0";
  s.group = q.by_bucket ? "period" : "";
  s.columns = "bucket";
  for (size_t i = 0; i < t.dims.size(); ++i) {
    s.columns += ", " + std::string(t.dims[i]);
    s.dims += (i ? ", " : "") + std::string(t.dims[i]);
    s.select += ", ";
    if (q.dims[i]) {
      s.needed |= 1 << i;
      s.select += t.dims[i];
      if (!s.group.empty()) s.group += ", ";
      s.group += t.dims[i];
    } else {
      s.select += "NULL";
    }
  }
  for (std::string_view c : t.counters) {
    s.columns += ", " + std::string(c);
    s.sums += ", " + Counter(c, d, false);
  }
  s.kept = DayGrouping(t.day_groupings, s.needed);
  return s;
}

std::string PartnerIs(const RollupQuery& q, RollupSqlDialect d) {
  return q.partner_id ? "partner_id = " + Param(3, d) + " AND " : "";
}

// SELECT <period>, <dims...>, <sums> FROM (<each range's rows> UNION ALL ...) GROUP BY <kept>
// HAVING count(*) > 0. Every range reads its own table through the primary key.
std::string RangesSql(const RollupQuery& q, RollupSqlDialect d, const RollupTable& t,
                      const Shape& s, Bounds& b) {
  std::vector<RollupRange> ranges = RollupRanges(q);
  // Day rows of exactly the dimensions asked for, each in one period, are the answer's rows
  // already: no GROUP BY (and no sort) when every piece is such days and the query has periods.
  const bool plain =
      q.by_bucket && s.kept == s.needed && !ranges.empty() &&
      std::all_of(ranges.begin(), ranges.end(), [](const RollupRange& r) { return r.days; });
  // An empty range still reads one empty piece, so that the statement uses every parameter.
  if (ranges.empty()) ranges.push_back({q.from_bucket, q.from_bucket, false});
  std::string counters;
  for (std::string_view c : t.counters) counters += ", " + Counter(c, d, plain);
  std::string from;
  for (const RollupRange& r : ranges) {
    if (!from.empty()) from += " UNION ALL ";
    from += "SELECT " + s.columns + " FROM " + std::string(t.name) + (r.days ? "_day" : "") +
            " WHERE " + PartnerIs(q, d);
    if (r.days) from += "kept = " + std::to_string(s.kept) + " AND ";
    // The query's own bounds are repeated so that every statement uses their parameters.
    // (Parameters in order: each Of() in a statement of its own.)
    const std::string lo = b.Of(r.from);
    const std::string hi = b.Of(r.to);
    from += "bucket >= " + lo + " AND bucket < " + hi + " AND bucket >= " + Param(1, d) +
            " AND bucket < " + Param(2, d);
  }
  std::string sql = "SELECT " + s.select + counters + " FROM (" + from + ") r";
  // Without GROUP BY an empty range still yields one row (of NULL sums): none wanted.
  if (!plain) sql += (s.group.empty() ? "" : " GROUP BY " + s.group) + " HAVING count(*) > 0";
  return sql;
}

// The hour plan's statement (RollupHourPlan): the day rows, the hour rows of the plan's hours of
// the day and, on PostgreSQL, the pending counters, each with its kind (HourPlanRowKind) and its
// bucket, for the caller to fold (rollup_sql.h); the periods each row counts in are computed
// by the caller (HourPlanRowPeriods), where the statement mapped every hour row to two periods
// by a search of the starts (docs/benchmarks.md, session 21).
std::string HourPlanSql(const RollupQuery& q, RollupSqlDialect d, const RollupTable& t,
                        const Shape& s, const RollupHourPlan& plan, Bounds& b) {
  std::string counters, dims;
  for (std::string_view c : t.counters) counters += ", " + Counter(c, d, true);
  for (size_t i = 0; i < t.dims.size(); ++i) {
    dims += ", " + (q.dims[i] ? std::string(t.dims[i]) : std::string("NULL"));
  }
  std::string hods;
  for (int h : plan.hods) hods += (hods.empty() ? "" : ", ") + std::to_string(h);
  const std::string day_from = b.Of(plan.day_from);
  const std::string day_to = b.Of(plan.day_to);
  const std::string hours_from = b.Of(std::min(q.from_bucket, plan.day_from));
  const std::string hours_to = b.Of(std::max(q.to_bucket, plan.day_to));
  auto kind = [](HourPlanRowKind k) { return std::to_string(static_cast<int>(k)) + ", bucket"; };
  std::string sql = "SELECT " + kind(HourPlanRowKind::kDay) + dims + counters + " FROM " +
                    std::string(t.name) + "_day WHERE " + PartnerIs(q, d) +
                    "kept = " + std::to_string(s.kept) + " AND bucket >= " + day_from +
                    " AND bucket < " + day_to;
  // Hour rows keep every dimension: the report's groups sum them.
  sql += " UNION ALL SELECT " + kind(HourPlanRowKind::kHour) + dims + counters + " FROM " +
         std::string(t.name) + "_hour WHERE " + PartnerIs(q, d) +
         "kept = " + std::to_string(t.hour_grouping) + " AND hod IN (" + hods +
         ") AND bucket >= " + hours_from + " AND bucket < " + hours_to;
  if (d == RollupSqlDialect::kPostgres) {
    // Counters not yet folded into the rollups (009_rollup_pending.sql), in the same statement
    // (one snapshot: a counter is either pending or folded in it, never both).
    sql += " UNION ALL SELECT " + kind(HourPlanRowKind::kPending) + dims + counters + " FROM " +
           std::string(t.name) + "_pending WHERE " + PartnerIs(q, d) + "bucket >= " + Param(1, d) +
           " AND bucket < " + Param(2, d);
  }
  return sql;
}

// The statement of a report's read: the rollups by RollupHourPlan when it applies, else by
// RollupRanges; on PostgreSQL, the pending counters too.
RollupStatement Build(const RollupQuery& q, RollupSqlDialect d, const RollupTable& t) {
  const Shape s = ShapeOf(q, d, t);
  Bounds b(RollupPeriodsParam(q) ? RollupPeriodsParam(q) + 1 : (q.partner_id ? 4 : 3), d);
  auto statement = [&b](std::string sql) {
    const int first = b.first();
    return RollupStatement{std::move(sql), first, std::move(b).Take()};
  };
  if (const std::optional<RollupHourPlan> plan = HourPlanOf(q)) {
    return statement(HourPlanSql(q, d, t, s, *plan, b));
  }
  std::string sql = RangesSql(q, d, t, s, b);
  if (d != RollupSqlDialect::kPostgres) return statement(std::move(sql));
  // PostgreSQL's write transactions append their counters to <table>_pending, which the rollup
  // folder moves into the rollups (009_rollup_pending.sql): add them, in the same statement (one
  // snapshot: a counter is either pending or folded in it, never both). Their groups may repeat
  // the rollups' groups; the caller adds up the rows of a group.
  sql += " UNION ALL SELECT " + s.select + s.sums + " FROM " + std::string(t.name) +
         "_pending WHERE " + PartnerIs(q, d) + "bucket >= " + Param(1, d) + " AND bucket < " +
         Param(2, d);
  return statement(sql + (s.group.empty() ? "" : " GROUP BY " + s.group) + " HAVING count(*) > 0");
}

}  // namespace

int RollupPeriodsParam(const RollupQuery& q) {
  if (!HasPeriods(q) || UtcDayPeriods(q) || HourPlanOf(q)) return 0;
  return q.partner_id ? 4 : 3;
}

std::vector<RollupRange> RollupRanges(const RollupQuery& q) {
  std::vector<RollupRange> out;
  if (q.from_bucket >= q.to_bucket) return out;
  if (q.by_bucket && q.periods.empty()) {
    out.push_back({q.from_bucket, q.to_bucket, false});
    return out;
  }
  // The pieces of the range that each lie in one period: split at every period start inside it.
  std::vector<int64_t> cuts = {q.from_bucket};
  if (q.by_bucket) {
    for (int64_t s : q.periods) {
      if (s > q.from_bucket && s < q.to_bucket) cuts.push_back(s);
    }
  }
  cuts.push_back(q.to_bucket);
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    const int64_t a = cuts[i], b = cuts[i + 1];
    const int64_t first_day = DayCeil(a), end_day = RollupDay(b);
    if (first_day < end_day) {
      Append(out, a, first_day, false);
      Append(out, first_day, end_day, true);
      Append(out, end_day, b, false);
    } else {
      Append(out, a, b, false);
    }
  }
  return out;
}

std::optional<RollupHourPlan> HourPlanOf(const RollupQuery& q) {
  if (q.from_bucket >= q.to_bucket || (q.by_bucket && q.periods.empty())) return std::nullopt;
  // The boundaries: where the range starts and ends, and each period start inside it.
  std::vector<int64_t> bounds = {q.from_bucket, q.to_bucket};
  if (q.by_bucket) {
    for (int64_t p : q.periods) {
      if (p > q.from_bucket && p < q.to_bucket) bounds.push_back(p);
    }
  }
  RollupHourPlan plan;
  plan.day_from = NearestMidnight(q.from_bucket);
  plan.day_to = NearestMidnight(q.to_bucket);
  if (plan.day_from >= plan.day_to) return std::nullopt;
  std::array<bool, 24> hod{};
  for (int64_t b : bounds) {
    if (RollupHour(b) != b) return std::nullopt;  // a zone with a :30 or :45 offset
    // The hours between b and its nearest midnight: a boundary before noon divides its day's
    // hours before it from the day row's period, one after noon the hours after it.
    const int h = RollupHourOfDay(b);
    for (int i = h < 12 ? 0 : h; i < (h < 12 ? h : 24); ++i) hod[static_cast<size_t>(i)] = true;
  }
  for (int i = 0; i < 24; ++i) {
    if (hod[static_cast<size_t>(i)]) plan.hods.push_back(i);
  }
  // No hours to correct: the ranges read whole UTC days already. Many: periods of hours, or
  // boundaries at many times of day; the quarter hours are as good.
  if (plan.hods.empty() || plan.hods.size() > kMaxPlanHours) return std::nullopt;
  return plan;
}

namespace {

// The last of q's period starts <= t (0 when the query folds no periods); none before the first.
std::optional<int64_t> PeriodAt(const RollupQuery& q, int64_t t) {
  if (!HasPeriods(q)) return 0;
  auto after = std::upper_bound(q.periods.begin(), q.periods.end(), t);
  if (after == q.periods.begin()) return std::nullopt;
  return *(after - 1);
}

}  // namespace

SignedPeriods HourPlanRowPeriods(const RollupQuery& q, const RollupHourPlan& plan, int64_t kind,
                                 int64_t bucket) {
  switch (static_cast<HourPlanRowKind>(kind)) {
    case HourPlanRowKind::kDay:
      return RollupRowPeriods(PeriodAt(q, DayNoonOf(bucket)), std::nullopt);
    case HourPlanRowKind::kHour: {
      std::optional<int64_t> plus, minus;
      if (bucket >= q.from_bucket && bucket < q.to_bucket) plus = PeriodAt(q, bucket);
      if (bucket >= plan.day_from && bucket < plan.day_to) {
        minus = PeriodAt(q, DayNoonOf(RollupDay(bucket)));
      }
      return RollupRowPeriods(plus, minus);
    }
    case HourPlanRowKind::kPending:
      break;
  }
  return RollupRowPeriods(PeriodAt(q, bucket), std::nullopt);
}

SignedPeriods RollupRowPeriods(std::optional<int64_t> plus, std::optional<int64_t> minus) {
  SignedPeriods out;
  if (plus && minus && *plus == *minus) return out;
  if (plus) out.at[out.size++] = {*plus, 1};
  if (minus) out.at[out.size++] = {*minus, -1};
  return out;
}

void NegateCounters(EventRollupRow& r) { r.events = -r.events; }

void NegateCounters(ClickRollupRow& r) {
  r.clicks = -r.clicks;
  r.filtered_clicks = -r.filtered_clicks;
}

void NegateCounters(ConversionRollupRow& r) {
  r.conversions = -r.conversions;
  r.value_micros = -r.value_micros;
  for (int64_t& n : r.latency) n = -n;
}

int DayGrouping(std::span<const int> groupings, int needed) {
  for (int g : groupings) {
    if ((g & needed) == needed) return g;
  }
  return groupings.back();
}

RollupStatement EventRollupSql(const RollupQuery& q, RollupSqlDialect d) {
  return Build(q, d,
               {"rollup_events",
                {"tag_id", "event_name"},
                {"events"},
                kEventDayGroupings,
                kEventHourGroupings[0]});
}

RollupStatement ClickRollupSql(const RollupQuery& q, RollupSqlDialect d) {
  return Build(q, d,
               {"rollup_clicks",
                {"campaign_key", "tag_key"},
                {"clicks", "filtered_clicks"},
                kClickDayGroupings,
                kClickHourGroupings[0]});
}

RollupStatement ConversionRollupSql(const RollupQuery& q, RollupSqlDialect d) {
  RollupQuery with_currency = q;
  with_currency.dims[2] = true;  // never add amounts of different currencies
  // SQLite keeps a value as whole units and micros; PostgreSQL as one numeric.
  std::vector<std::string_view> counters =
      d == RollupSqlDialect::kSqlite
          ? std::vector<std::string_view>{"conversions", "value_units", "value_micros"}
          : std::vector<std::string_view>{"conversions", "value"};
  if (q.latency) {
    for (std::string_view latency : {"latency_negative", "latency_1h", "latency_1d", "latency_7d",
                                     "latency_30d", "latency_more"}) {
      counters.push_back(latency);
    }
  }
  return Build(with_currency, d,
               {"rollup_conversions",
                {"campaign_key", "event_type", "currency", "click_tag_key"},
                std::move(counters),
                kConversionDayGroupings,
                kConversionHourGroupings[0]});
}

}  // namespace thrad
