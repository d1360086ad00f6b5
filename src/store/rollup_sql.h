#pragma once

#include <string>

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

// ... tag_id, event_name, events
std::string EventRollupSql(const RollupQuery& q, RollupSqlDialect d);
// ... campaign_key, tag_key, clicks, filtered_clicks
std::string ClickRollupSql(const RollupQuery& q, RollupSqlDialect d);
// ... campaign_key, event_type, currency, click_tag_key, conversions, then SQLite: value_units,
// value_micros; PostgreSQL: value as text; then the six latency counts.
std::string ConversionRollupSql(const RollupQuery& q, RollupSqlDialect d);

}  // namespace thrad
