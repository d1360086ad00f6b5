#include "store/rollup_sql.h"

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

// SELECT <period>, <dims...>, <sums> FROM <table> WHERE ... GROUP BY <kept> HAVING count(*) > 0.
std::string Build(const RollupQuery& q, RollupSqlDialect d, std::string_view table,
                  const std::vector<std::string_view>& dims, std::string_view sums) {
  const std::string period = RollupPeriodsParam(q) ? PeriodOf(q, d) : "bucket";
  std::string select = q.by_bucket ? period + " AS period" : "0";
  std::string group = q.by_bucket ? "period" : "";
  for (size_t i = 0; i < dims.size(); ++i) {
    select += ", ";
    if (q.dims[i]) {
      select += dims[i];
      if (!group.empty()) group += ", ";
      group += dims[i];
    } else {
      select += "NULL";
    }
  }
  std::string sql =
      "SELECT " + select + ", " + std::string(sums) + " FROM " + std::string(table) + " WHERE ";
  if (q.partner_id) sql += "partner_id = " + Param(3, d) + " AND ";
  sql += "bucket >= " + Param(1, d) + " AND bucket < " + Param(2, d);
  if (!group.empty()) sql += " GROUP BY " + group;
  // Without GROUP BY an empty range still yields one row (of NULL sums): none wanted.
  return sql + " HAVING count(*) > 0";
}

std::string Sum(std::string_view column, RollupSqlDialect d) {
  // PostgreSQL's sum of bigint is numeric; the counters fit 64 bits.
  return "sum(" + std::string(column) + ")" + (d == RollupSqlDialect::kPostgres ? "::int8" : "");
}

}  // namespace

int RollupPeriodsParam(const RollupQuery& q) {
  if (!q.by_bucket || q.periods.empty()) return 0;
  return q.partner_id ? 4 : 3;
}

std::string EventRollupSql(const RollupQuery& q, RollupSqlDialect d) {
  return Build(q, d, "rollup_events", {"tag_id", "event_name"}, Sum("events", d));
}

std::string ClickRollupSql(const RollupQuery& q, RollupSqlDialect d) {
  return Build(q, d, "rollup_clicks", {"campaign_key", "tag_key"},
               Sum("clicks", d) + ", " + Sum("filtered_clicks", d));
}

std::string ConversionRollupSql(const RollupQuery& q, RollupSqlDialect d) {
  RollupQuery with_currency = q;
  with_currency.dims[2] = true;  // never add amounts of different currencies
  std::string sums = Sum("conversions", d) + ", ";
  sums +=
      d == RollupSqlDialect::kSqlite ? "sum(value_units), sum(value_micros)" : "sum(value)::text";
  for (std::string_view c : {"latency_negative", "latency_1h", "latency_1d", "latency_7d",
                             "latency_30d", "latency_more"}) {
    sums += ", " + Sum(c, d);
  }
  return Build(with_currency, d, "rollup_conversions",
               {"campaign_key", "event_type", "currency", "click_tag_key"}, sums);
}

}  // namespace thrad
