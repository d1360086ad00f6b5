#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/report_store.h"

namespace thrad {

// The SELECTs of ReportStore's rollup reads, the same for both backends but for parameter
// spelling and the money columns. Parameters: 1 = from_bucket, 2 = to_bucket, 3 = partner_id
// (only when RollupQuery::partner_id is set), then the period starts when RollupQuery::periods is
// used (RollupPeriodsParam: SQLite a blob of native int64s read by the function
// thrad_period(bucket, starts), sqlite_reports.cc; PostgreSQL an int8[] for width_bucket),
// then the bounds of the pieces read (RollupStatement, below). Columns: bucket (the period start
// with periods; 0 when !by_bucket), then the kind's dimensions (NULL when not kept; nullable ones
// in their key form, RollupDimKey), then the sums.
enum class RollupSqlDialect { kSqlite, kPostgres };

// The parameter number of the period starts, or 0 when the statement needs none: the query
// folds no periods, or its periods are the UTC days of its range, computed from each bucket.
int RollupPeriodsParam(const RollupQuery& q);

// A report's statement and the values of its bound parameters: the bounds of the pieces it
// reads (RollupRanges, RollupHourPlan), numbered from `first_bound` on, after the parameters
// above. With them as parameters the text depends on the query's shape only (its kind,
// dimensions, periods' use, pieces and hours of the day), not on its range: a store keeps one
// prepared statement per shape (SQLite's cache on the connection, PostgreSQL's named
// statements), where literal bounds made every new range a statement of its own, kept for the
// connection's life, and cost PostgreSQL a parse and a plan per call (docs/benchmarks.md,
// session 19).
struct RollupStatement {
  std::string sql;
  int first_bound = 0;
  std::vector<int64_t> bounds;
};

// Without an hour plan (HourPlanOf, below: UTC days, :30 and :45 zones, periods of hours):
// the pieces of [from_bucket, to_bucket) a report reads, ascending, adjacent, none empty: the
// day rows (rollup.h "The day level") for every run of UTC days that each lie inside one of the
// query's periods (every day inside the range when !by_bucket), the quarter hours elsewhere.
// Only quarter hours when the query is by bucket without periods. Each statement reads every
// piece from its own table with an index range and sums them (UNION ALL).
struct RollupRange {
  int64_t from = 0;
  int64_t to = 0;
  bool days = false;
  bool operator==(const RollupRange&) const = default;
};
std::vector<RollupRange> RollupRanges(const RollupQuery& q);

// How a report in a zone whose midnight is not UTC's reads its whole local days (rollup.h "The
// hour level"): every boundary of the range (its start, its end, each period start inside it)
// on a whole hour. Each day row of [day_from, day_to) is counted in the period that holds its
// noon (12 h - 1 µs after its start), the nearest midnight to each boundary being the edge of the
// day rows on its side. Each hour row whose hour of the day is in `hods` (the hours between a
// boundary and its nearest midnight: before a boundary before noon, from one after noon) is then
// added to the period it lies in, and taken from its day row's period, where the two differ
// (hour rows keep every dimension: the statement's GROUP BY sums them into the report's groups).
// A New York day reads one day row per group plus, per combination of every dimension, its five
// first UTC hours twice, where it read its 96 quarter hours. Rows outside the range count in no
// period, so the hours between the range's ends and their nearest midnights are only added or
// only taken.
struct RollupHourPlan {
  int64_t day_from = 0;   // the nearest UTC midnight to from_bucket
  int64_t day_to = 0;     // the nearest UTC midnight to to_bucket
  std::vector<int> hods;  // ascending, 0-23
};
inline constexpr size_t kMaxPlanHours = 12;

// The plan of `q`, or none when a boundary is not a whole hour, the range holds no whole day
// row, no hour needs correcting (the boundaries are UTC midnights: RollupRanges reads whole days)
// or more than kMaxPlanHours of every day would.
std::optional<RollupHourPlan> HourPlanOf(const RollupQuery& q);

// An hour plan's statement (HourPlanOf gives the plan) has no GROUP BY: its rows are for the
// caller to fold, each hour row read once. Grouping in the database cost more
// than the server's folding: SQLite sorts the rows in a temporary B-tree (half of a New York
// report's time, docs/benchmarks.md session 13), PostgreSQL turned each hour row into two and
// hash-aggregated them (session 18). Its columns: the row's kind (HourPlanRowKind), its bucket,
// then the kind's dimensions (NULL when not asked for), then the counters (PostgreSQL's value as
// text). The caller maps each row to the periods it counts in (HourPlanRowPeriods), adds up the
// counters per period and dimensions, negated where taken from, and leaves out a group that adds
// up to 0.
//
// The rows of an hour plan's statement: a day row, an hour row, a pending counter (PostgreSQL).
enum class HourPlanRowKind { kDay = 0, kHour = 1, kPending = 2 };

// The periods such a row counts in, with the sign of its counters there: `plus` (1), `minus`
// (-1), each when not NULL; none when they are the same period (taken and added back).
struct SignedPeriod {
  int64_t period = 0;
  int sign = 1;
};
struct SignedPeriods {
  std::array<SignedPeriod, 2> at{};
  size_t size = 0;
  const SignedPeriod* begin() const { return at.data(); }
  const SignedPeriod* end() const { return at.data() + size; }
};
SignedPeriods RollupRowPeriods(std::optional<int64_t> plus, std::optional<int64_t> minus);

// The periods a row of `q`'s hour plan statement (its kind and bucket, columns 0 and 1) counts
// in: a day row in the period holding its noon; an hour row added to the period it lies in
// (when inside the range) and taken from its day row's (when that day row is read); a pending
// counter in its own. (The last of q.periods <= each instant; none before the first; 0 for a
// query without periods, a total.)
SignedPeriods HourPlanRowPeriods(const RollupQuery& q, const RollupHourPlan& plan, int64_t kind,
                                 int64_t bucket);

// A row's counters negated (a row taken away from a period).
void NegateCounters(EventRollupRow& r);
void NegateCounters(ClickRollupRow& r);
void NegateCounters(ConversionRollupRow& r);

// Calls `row` with `r` (such a row, read once) per period of `periods`: its bucket that period,
// its counters negated where it is taken away. A row counted in two periods is read from the
// statement and its values copied once, not once per period (a New York report's hour rows,
// docs/benchmarks.md session 21).
template <class Row, class Emit>
void EmitSignedRow(Row& r, const SignedPeriods& periods, Emit&& row) {
  int sign = 1;
  for (const SignedPeriod& p : periods) {
    if (p.sign != sign) {
      NegateCounters(r);
      sign = p.sign;
    }
    r.bucket = p.period;
    row(r);
  }
}

// The first of `groupings` that keeps every dimension of `needed` (bitmasks, rollup.h).
int DayGrouping(std::span<const int> groupings, int needed);

// ... tag_id, event_name, events
RollupStatement EventRollupSql(const RollupQuery& q, RollupSqlDialect d);
// ... campaign_key, tag_key, clicks, filtered_clicks
RollupStatement ClickRollupSql(const RollupQuery& q, RollupSqlDialect d);
// ... campaign_key, event_type, currency, click_tag_key, conversions, then SQLite: value_units,
// value_micros; PostgreSQL: value as text; then the six latency counts (RollupQuery::latency).
RollupStatement ConversionRollupSql(const RollupQuery& q, RollupSqlDialect d);

}  // namespace thrad
