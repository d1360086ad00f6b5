#pragma once

#include <span>
#include <string>
#include <vector>

#include "store/report_store.h"

namespace thrad {

// The SELECTs of ReportStore's rollup reads, the same for both backends but for parameter
// spelling and the money columns. Parameters: 1 = from_bucket, 2 = to_bucket, 3 = partner_id
// (only when RollupQuery::partner_id is set), then the period starts when RollupQuery::periods is
// used (RollupPeriodsParam: SQLite a blob of native int64s read by the function
// thrad_period(bucket, starts), sqlite_reports.cc; PostgreSQL an int8[] for width_bucket).
// Columns: bucket (the period start with periods; 0 when !by_bucket), then the
// kind's dimensions (NULL when not kept; nullable ones in their key form, RollupDimKey), then
// the sums.
enum class RollupSqlDialect { kSqlite, kPostgres };

// The parameter number of the period starts, or 0 when the query folds no periods.
int RollupPeriodsParam(const RollupQuery& q);

// The pieces of [from_bucket, to_bucket) a report reads, ascending, adjacent, none empty: the
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

// The first of `groupings` that keeps every dimension of `needed` (bitmasks, rollup.h).
int DayGrouping(std::span<const int> groupings, int needed);

// ... tag_id, event_name, events
std::string EventRollupSql(const RollupQuery& q, RollupSqlDialect d);
// ... campaign_key, tag_key, clicks, filtered_clicks
std::string ClickRollupSql(const RollupQuery& q, RollupSqlDialect d);
// ... campaign_key, event_type, currency, click_tag_key, conversions, then SQLite: value_units,
// value_micros; PostgreSQL: value as text; then the six latency counts.
std::string ConversionRollupSql(const RollupQuery& q, RollupSqlDialect d);

}  // namespace thrad
