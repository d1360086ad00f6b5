#include "store/postgres/pg_rollups.h"

#include <string>
#include <string_view>

namespace thrad {
namespace {

// One rollup table's upsert from array parameters: the key columns (text/int8) and the
// counters, ON CONFLICT adding the counters (`add`, where `T.` names the table). A day or hour
// table (rollup.h "The day level", "The hour level") has the grouping `kept` (int2) after
// partner_id; an hour table then its hour of the day, `hod` (int2).
enum class Level { kQuarter, kDay, kHour };

struct UpsertSql {
  std::string quarter;
  std::string day;
  std::string hour;
  std::string pending;  // the quarter hours appended to <table>_pending (009_rollup_pending.sql)
};

UpsertSql MakeUpsert(std::string_view table, std::string_view keys, std::string_view counters,
                     std::vector<std::string_view> types, std::string_view add) {
  auto build = [&](Level level, bool pending = false) {
    const bool day = level == Level::kDay, hour = level == Level::kHour;
    std::vector<std::string_view> all = {"text"};
    if (day || hour) all.push_back("int2");
    if (hour) all.push_back("int2");
    all.push_back("int8");
    all.insert(all.end(), types.begin(), types.end());
    std::string arrays;
    for (size_t i = 0; i < all.size(); ++i) {
      if (i) arrays += ", ";
      arrays += "$" + std::to_string(i + 1) + "::" + std::string(all[i]) + "[]";
    }
    const std::string name = std::string(table) + (day ? "_day" : "") + (hour ? "_hour" : "") +
                             (pending ? "_pending" : "");
    const std::string head = std::string("partner_id, ") + (day ? "kept, " : "") +
                             (hour ? "kept, hod, " : "") + "bucket, " + std::string(keys);
    std::string set(add);
    for (size_t at = set.find("T."); at != std::string::npos; at = set.find("T.", at)) {
      set.replace(at, 1, name);
      at += name.size();
    }
    const std::string insert = "INSERT INTO " + name + "(" + head + ", " + std::string(counters) +
                               ") SELECT * FROM unnest(" + arrays + ")";
    if (pending) return insert;
    return insert + " ON CONFLICT (" + head + ") DO UPDATE SET " + set;
  };
  return {build(Level::kQuarter), build(Level::kDay), build(Level::kHour),
          build(Level::kQuarter, true)};
}

const UpsertSql& EventsUpsert() {
  static const UpsertSql sql =
      MakeUpsert("rollup_events", "tag_id, event_name", "events", {"text", "text", "int8"},
                 "events = T.events + excluded.events");
  return sql;
}

const UpsertSql& ClicksUpsert() {
  static const UpsertSql sql =
      MakeUpsert("rollup_clicks", "campaign_key, tag_key", "clicks, filtered_clicks",
                 {"text", "text", "int8", "int8"},
                 "clicks = T.clicks + excluded.clicks, "
                 "filtered_clicks = T.filtered_clicks + excluded.filtered_clicks");
  return sql;
}

const UpsertSql& ConversionsUpsert() {
  static const UpsertSql sql = MakeUpsert(
      "rollup_conversions", "campaign_key, event_type, currency, click_tag_key",
      "conversions, value, latency_negative, latency_1h, latency_1d, latency_7d, latency_30d, "
      "latency_more",
      {"text", "text", "text", "text", "int8", "numeric", "int8", "int8", "int8", "int8", "int8",
       "int8"},
      "conversions = T.conversions + excluded.conversions, value = T.value + excluded.value, "
      "latency_negative = T.latency_negative + excluded.latency_negative, "
      "latency_1h = T.latency_1h + excluded.latency_1h, "
      "latency_1d = T.latency_1d + excluded.latency_1d, "
      "latency_7d = T.latency_7d + excluded.latency_7d, "
      "latency_30d = T.latency_30d + excluded.latency_30d, "
      "latency_more = T.latency_more + excluded.latency_more");
  return sql;
}

// Adds partner_id, then (a day or hour key) its grouping, then (an hour key) its hour of the
// day, then the bucket; returns the next column.
template <class Key>
size_t AddHead(std::vector<PgArray>& c, const Key& key, bool hour) {
  size_t n = 0;
  const int64_t bucket = BaseRollupKey(key).bucket;
  c[n++].Add(BaseRollupKey(key).partner_id);
  if (std::optional<int64_t> kept = RollupKept(key)) c[n++].Add(*kept);
  if (hour) c[n++].Add(int64_t{RollupHourOfDay(bucket)});
  c[n++].Add(bucket);
  return n;
}

// Appends one statement carrying every entry of `rows` (in key order) as `columns` arrays (one
// more for an hour table's `hod`).
template <class Map, class Add>
void Upsert(std::vector<PgQuery>& out, const std::string& sql, const char* name, size_t columns,
            const Map& rows, Add&& add, bool hour = false) {
  if (rows.empty()) return;
  std::vector<PgArray> c(columns + (hour ? 1 : 0));
  for (const auto& [key, value] : rows) add(c, AddHead(c, key, hour), BaseRollupKey(key), value);
  PgQuery q{sql, {}, name};
  for (PgArray& a : c) q.params.emplace_back(std::move(a).Finish());
  out.push_back(std::move(q));
}

void AddEvent(std::vector<PgArray>& c, size_t n, const EventRollupKey& key, int64_t events) {
  c[n].Add(key.tag_id);
  c[n + 1].Add(key.event_name);
  c[n + 2].Add(events);
}

void AddClick(std::vector<PgArray>& c, size_t n, const ClickRollupKey& key,
              const ClickCounts& counts) {
  c[n].Add(RollupDimKey(key.campaign_id));
  c[n + 1].Add(RollupDimKey(key.tag_id));
  c[n + 2].Add(counts.clicks);
  c[n + 3].Add(counts.filtered_clicks);
}

void AddConversion(std::vector<PgArray>& c, size_t n, const ConversionRollupKey& key,
                   const ConversionCounts& counts) {
  c[n].Add(RollupDimKey(key.campaign_id));
  c[n + 1].Add(key.event_type);
  c[n + 2].Add(key.currency);
  c[n + 3].Add(RollupDimKey(key.click_tag_id));
  c[n + 4].Add(counts.conversions);
  c[n + 5].Add(FormatMicros128(counts.value_micros));
  for (int i = 0; i < kLatencyBuckets; ++i) c[n + 6 + i].Add(counts.latency[i]);
}

}  // namespace

std::vector<PgQuery> PendingRollupQueries(const RollupDelta& delta) {
  std::vector<PgQuery> q;
  Upsert(q, EventsUpsert().pending, "thrad_pending_events", 5, delta.events, AddEvent);
  Upsert(q, ClicksUpsert().pending, "thrad_pending_clicks", 6, delta.clicks, AddClick);
  Upsert(q, ConversionsUpsert().pending, "thrad_pending_conversions", 14, delta.conversions,
         AddConversion);
  return q;
}

std::vector<PgQuery> UpsertRollupQueries(const RollupDelta& delta) {
  std::vector<PgQuery> q;
  Upsert(q, EventsUpsert().quarter, "thrad_rollup_events", 5, delta.events, AddEvent);
  const GroupedRollupDelta days = DayRollupsOf(delta);
  const GroupedRollupDelta hours = HourRollupsOf(delta);
  Upsert(q, EventsUpsert().day, "thrad_rollup_events_day", 6, days.events, AddEvent);
  Upsert(q, EventsUpsert().hour, "thrad_rollup_events_hour", 6, hours.events, AddEvent, true);
  Upsert(q, ClicksUpsert().quarter, "thrad_rollup_clicks", 6, delta.clicks, AddClick);
  Upsert(q, ClicksUpsert().day, "thrad_rollup_clicks_day", 7, days.clicks, AddClick);
  Upsert(q, ClicksUpsert().hour, "thrad_rollup_clicks_hour", 7, hours.clicks, AddClick, true);
  Upsert(q, ConversionsUpsert().quarter, "thrad_rollup_conversions", 14, delta.conversions,
         AddConversion);
  Upsert(q, ConversionsUpsert().day, "thrad_rollup_conversions_day", 15, days.conversions,
         AddConversion);
  Upsert(q, ConversionsUpsert().hour, "thrad_rollup_conversions_hour", 15, hours.conversions,
         AddConversion, true);
  return q;
}

}  // namespace thrad
