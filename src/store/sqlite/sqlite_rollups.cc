#include "store/sqlite/sqlite_rollups.h"

#include <string>
#include <string_view>

namespace thrad {
namespace {

constexpr int64_t kMicrosPerUnit = 1'000'000;

// One rollup table's upsert: INSERT of the key columns and the counters, ON CONFLICT adding the
// counters (`add`). A day or hour table (rollup.h "The day level", "The hour level") has the
// grouping `kept` after partner_id in its key and its columns; an hour table then its hour of
// the day, `hod`.
enum class Level { kQuarter, kDay, kHour };

struct UpsertSql {
  std::string quarter;
  std::string day;
  std::string hour;
};

UpsertSql MakeUpsert(std::string_view table, std::string_view keys, std::string_view counters,
                     int params, std::string_view add) {
  auto build = [&](Level level) {
    const int head_params = level == Level::kQuarter ? 0 : level == Level::kDay ? 1 : 2;
    std::string values = "?";
    for (int i = 1; i < params + head_params; ++i) values += ", ?";
    const std::string head = std::string("partner_id, ") +
                             (level == Level::kQuarter ? ""
                              : level == Level::kDay   ? "kept, "
                                                       : "kept, hod, ") +
                             "bucket, " + std::string(keys);
    const char* suffix = level == Level::kQuarter ? "" : level == Level::kDay ? "_day" : "_hour";
    return "INSERT INTO " + std::string(table) + suffix + "(" + head + ", " +
           std::string(counters) + ") VALUES(" + values + ") ON CONFLICT(" + head +
           ") DO UPDATE SET " + std::string(add);
  };
  return {build(Level::kQuarter), build(Level::kDay), build(Level::kHour)};
}

const UpsertSql& EventsUpsert() {
  static const UpsertSql sql = MakeUpsert("rollup_events", "tag_id, event_name", "events", 5,
                                          "events = events + excluded.events");
  return sql;
}

const UpsertSql& ClicksUpsert() {
  static const UpsertSql sql =
      MakeUpsert("rollup_clicks", "campaign_key, tag_key", "clicks, filtered_clicks", 6,
                 "clicks = clicks + excluded.clicks, "
                 "filtered_clicks = filtered_clicks + excluded.filtered_clicks");
  return sql;
}

// value_micros stays in 0..999,999: the carry goes to value_units (SET reads the old row).
const UpsertSql& ConversionsUpsert() {
  static const UpsertSql sql = MakeUpsert(
      "rollup_conversions", "campaign_key, event_type, currency, click_tag_key",
      "conversions, value_units, value_micros, latency_negative, latency_1h, latency_1d, "
      "latency_7d, latency_30d, latency_more",
      15,
      "conversions = conversions + excluded.conversions, "
      "value_units = value_units + excluded.value_units "
      "+ (value_micros + excluded.value_micros) / 1000000, "
      "value_micros = (value_micros + excluded.value_micros) % 1000000, "
      "latency_negative = latency_negative + excluded.latency_negative, "
      "latency_1h = latency_1h + excluded.latency_1h, "
      "latency_1d = latency_1d + excluded.latency_1d, "
      "latency_7d = latency_7d + excluded.latency_7d, "
      "latency_30d = latency_30d + excluded.latency_30d, "
      "latency_more = latency_more + excluded.latency_more");
  return sql;
}

// Binds partner_id, then (a day or hour key) its grouping, then (an hour key) its hour of the
// day, then the bucket; returns the next parameter.
template <class Key>
int BindHead(SqliteStatement& st, const Key& key, Level level) {
  int n = 1;
  const int64_t bucket = BaseRollupKey(key).bucket;
  st.BindStatic(n++, BaseRollupKey(key).partner_id);
  if (std::optional<int64_t> kept = RollupKept(key)) st.Bind(n++, *kept);
  if (level == Level::kHour) st.Bind(n++, int64_t{RollupHourOfDay(bucket)});
  st.Bind(n++, bucket);
  return n;
}

// Runs `sql` once per entry of `rows`, binding the key's head and then `bind(st, n, key, v)`
// from parameter n on.
template <class Map, class Bind>
Status UpsertEach(SqliteDb& db, const std::string& sql, Level level, const Map& rows, Bind&& bind) {
  if (rows.empty()) return Status::Ok();
  Result<SqliteStatement> st = db.Prepare(sql);
  if (!st.ok()) return st.status();
  for (const auto& [key, value] : rows) {
    st->Reset();
    bind(*st, BindHead(*st, key, level), BaseRollupKey(key), value);
    THRAD_RETURN_IF_ERROR(st->Run());
  }
  return Status::Ok();
}

void BindEvent(SqliteStatement& st, int n, const EventRollupKey& key, int64_t events) {
  st.BindStatic(n, key.tag_id);
  st.BindStatic(n + 1, key.event_name);
  st.Bind(n + 2, events);
}

void BindClick(SqliteStatement& st, int n, const ClickRollupKey& key, const ClickCounts& c) {
  st.Bind(n, RollupDimKey(key.campaign_id));
  st.Bind(n + 1, RollupDimKey(key.tag_id));
  st.Bind(n + 2, c.clicks);
  st.Bind(n + 3, c.filtered_clicks);
}

void BindConversion(SqliteStatement& st, int n, const ConversionRollupKey& key,
                    const ConversionCounts& c) {
  st.Bind(n, RollupDimKey(key.campaign_id));
  st.BindStatic(n + 1, key.event_type);
  st.BindStatic(n + 2, key.currency);
  st.Bind(n + 3, RollupDimKey(key.click_tag_id));
  st.Bind(n + 4, c.conversions);
  // A commit's sum is far below 2^63 whole units (at most 1e12 per conversion).
  st.Bind(n + 5, static_cast<int64_t>(c.value_micros / kMicrosPerUnit));
  st.Bind(n + 6, static_cast<int64_t>(c.value_micros % kMicrosPerUnit));
  for (int i = 0; i < kLatencyBuckets; ++i) st.Bind(n + 7 + i, c.latency[i]);
}

}  // namespace

Status UpsertRollups(SqliteDb& db, const RollupDelta& delta) {
  const GroupedRollupDelta days = DayRollupsOf(delta);
  const GroupedRollupDelta hours = HourRollupsOf(delta);
  constexpr Level kQ = Level::kQuarter, kD = Level::kDay, kH = Level::kHour;
  THRAD_RETURN_IF_ERROR(UpsertEach(db, EventsUpsert().quarter, kQ, delta.events, BindEvent));
  THRAD_RETURN_IF_ERROR(UpsertEach(db, EventsUpsert().day, kD, days.events, BindEvent));
  THRAD_RETURN_IF_ERROR(UpsertEach(db, EventsUpsert().hour, kH, hours.events, BindEvent));
  THRAD_RETURN_IF_ERROR(UpsertEach(db, ClicksUpsert().quarter, kQ, delta.clicks, BindClick));
  THRAD_RETURN_IF_ERROR(UpsertEach(db, ClicksUpsert().day, kD, days.clicks, BindClick));
  THRAD_RETURN_IF_ERROR(UpsertEach(db, ClicksUpsert().hour, kH, hours.clicks, BindClick));
  THRAD_RETURN_IF_ERROR(
      UpsertEach(db, ConversionsUpsert().quarter, kQ, delta.conversions, BindConversion));
  THRAD_RETURN_IF_ERROR(
      UpsertEach(db, ConversionsUpsert().day, kD, days.conversions, BindConversion));
  return UpsertEach(db, ConversionsUpsert().hour, kH, hours.conversions, BindConversion);
}

}  // namespace thrad
