#include "store/rollup_sql.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace thrad {
namespace {

std::string Param(int n, RollupSqlDialect d) {
  return (d == RollupSqlDialect::kSqlite ? "?" : "$") + std::to_string(n);
}

// The period start of a row's bucket: the last of the starts <= bucket.
std::string PeriodOf(const RollupQuery& q, RollupSqlDialect d) {
  const std::string starts = Param(RollupPeriodsParam(q), d);
  if (d == RollupSqlDialect::kSqlite) return "thrad_period(bucket, " + starts + ")";
  return "(" + starts + "::int8[])[width_bucket(bucket, " + starts + "::int8[])]";
}

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

// SELECT <period>, <dims...>, <sums> FROM (<each range's rows> UNION ALL ...) GROUP BY <kept>
// HAVING count(*) > 0. Every range reads its own table through the primary key.
std::string Build(const RollupQuery& q, RollupSqlDialect d, const RollupTable& t) {
  const std::string period = RollupPeriodsParam(q) ? PeriodOf(q, d) : "bucket";
  std::string select = q.by_bucket ? period + " AS period" : "0";
  std::string group = q.by_bucket ? "period" : "";
  std::string columns = "bucket";
  int needed = 0;
  for (size_t i = 0; i < t.dims.size(); ++i) {
    columns += ", " + std::string(t.dims[i]);
    select += ", ";
    if (q.dims[i]) {
      needed |= 1 << i;
      select += t.dims[i];
      if (!group.empty()) group += ", ";
      group += t.dims[i];
    } else {
      select += "NULL";
    }
  }
  const int kept = DayGrouping(t.day_groupings, needed);
  const std::string grouping = std::to_string(kept);
  std::vector<RollupRange> ranges = RollupRanges(q);
  // Day rows of exactly the dimensions asked for, each in one period, are the answer's rows
  // already: no GROUP BY (and no sort) when every piece is such days and the query has periods.
  const bool plain =
      q.by_bucket && kept == needed && !ranges.empty() &&
      std::all_of(ranges.begin(), ranges.end(), [](const RollupRange& r) { return r.days; });
  // An empty range still reads one empty piece, so that the statement uses every parameter.
  if (ranges.empty()) ranges.push_back({q.from_bucket, q.from_bucket, false});
  std::string counters, sums;
  for (std::string_view c : t.counters) {
    columns += ", " + std::string(c);
    counters += ", " + Counter(c, d, plain);
    sums += ", " + Counter(c, d, false);
  }
  std::string from;
  for (const RollupRange& r : ranges) {
    if (!from.empty()) from += " UNION ALL ";
    from +=
        "SELECT " + columns + " FROM " + std::string(t.name) + (r.days ? "_day" : "") + " WHERE ";
    if (q.partner_id) from += "partner_id = " + Param(3, d) + " AND ";
    if (r.days) from += "kept = " + grouping + " AND ";
    // The range's bounds are numbers this function computed, never text from a request; the
    // query's own bounds are repeated as parameters so that every statement uses them.
    from += "bucket >= " + std::to_string(r.from) + " AND bucket < " + std::to_string(r.to) +
            " AND bucket >= " + Param(1, d) + " AND bucket < " + Param(2, d);
  }
  std::string sql = "SELECT " + select + counters + " FROM (" + from + ") r";
  // Without GROUP BY an empty range still yields one row (of NULL sums): none wanted.
  const std::string grouped = (group.empty() ? "" : " GROUP BY " + group) + " HAVING count(*) > 0";
  if (!plain) sql += grouped;
  if (d != RollupSqlDialect::kPostgres) return sql;
  // PostgreSQL's write transactions append their counters to <table>_pending, which the rollup
  // folder moves into the rollups (009_rollup_pending.sql): add them, in the same statement (one
  // snapshot: a counter is either pending or folded in it, never both). Their groups may repeat
  // the rollups' groups; the caller adds up the rows of a group.
  sql += " UNION ALL SELECT " + select + sums + " FROM " + std::string(t.name) + "_pending WHERE ";
  if (q.partner_id) sql += "partner_id = " + Param(3, d) + " AND ";
  return sql + "bucket >= " + Param(1, d) + " AND bucket < " + Param(2, d) + grouped;
}

}  // namespace

int RollupPeriodsParam(const RollupQuery& q) {
  if (!q.by_bucket || q.periods.empty()) return 0;
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

int DayGrouping(std::span<const int> groupings, int needed) {
  for (int g : groupings) {
    if ((g & needed) == needed) return g;
  }
  return groupings.back();
}

std::string EventRollupSql(const RollupQuery& q, RollupSqlDialect d) {
  return Build(q, d, {"rollup_events", {"tag_id", "event_name"}, {"events"}, kEventDayGroupings});
}

std::string ClickRollupSql(const RollupQuery& q, RollupSqlDialect d) {
  return Build(q, d,
               {"rollup_clicks",
                {"campaign_key", "tag_key"},
                {"clicks", "filtered_clicks"},
                kClickDayGroupings});
}

std::string ConversionRollupSql(const RollupQuery& q, RollupSqlDialect d) {
  RollupQuery with_currency = q;
  with_currency.dims[2] = true;  // never add amounts of different currencies
  // SQLite keeps a value as whole units and micros; PostgreSQL as one numeric.
  std::vector<std::string_view> counters =
      d == RollupSqlDialect::kSqlite
          ? std::vector<std::string_view>{"conversions", "value_units", "value_micros"}
          : std::vector<std::string_view>{"conversions", "value"};
  for (std::string_view latency : {"latency_negative", "latency_1h", "latency_1d", "latency_7d",
                                   "latency_30d", "latency_more"}) {
    counters.push_back(latency);
  }
  return Build(with_currency, d,
               {"rollup_conversions",
                {"campaign_key", "event_type", "currency", "click_tag_key"},
                std::move(counters),
                kConversionDayGroupings});
}

}  // namespace thrad
