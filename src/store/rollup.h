#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>

#include "model/records.h"
#include "model/write_op.h"

namespace thrad {

// The reports' pre-aggregated counters (REPORTS.md section 3; docs/architecture.md "Rollups").
// Every write transaction that stores events, clicks or conversions adds what it stored to
// per-bucket counters in the same transaction, one upsert per distinct group, so a report
// reads counters and never scans raw rows, and reflects every acknowledged write.

// A bucket is 15 minutes of UTC: every IANA zone's offset from UTC is a whole number of
// quarter hours, so each local hour and local day is a union of whole buckets.
inline constexpr int64_t kRollupBucketMicros = int64_t{15} * 60 * 1'000'000;

// The start of the bucket holding `t` (floor, also for instants before 1970).
inline int64_t RollupBucket(UnixMicros t) {
  int64_t q = t / kRollupBucketMicros;
  if (t % kRollupBucketMicros < 0) --q;
  return q * kRollupBucketMicros;
}

// The time an event counts at: its client timestamp, else its receive time.
UnixMicros EventReportTime(const EventRecord& e);

// The latency buckets of the conversions report, by conversion_time - click_time: negative
// (< 0), then each holds the latencies above the previous bound and at most its own.
inline constexpr int kLatencyBuckets = 6;
inline constexpr std::array<const char*, kLatencyBuckets> kLatencyNames = {
    "negative", "1h", "1d", "7d", "30d", "more"};
// The index into kLatencyNames of a latency in microseconds.
int LatencyBucket(int64_t latency_micros);

// Exact sums of money in micro-units: a group may sum more than int64 holds (1e12 per
// conversion is 1e18 micro-units).
using Micros128 = __int128;

struct EventRollupKey {
  std::string partner_id;
  int64_t bucket = 0;
  std::string tag_id;
  std::string event_name;
  auto operator<=>(const EventRollupKey&) const = default;
};

struct ClickRollupKey {
  std::string partner_id;
  int64_t bucket = 0;
  std::optional<std::string> campaign_id;
  std::optional<std::string> tag_id;
  auto operator<=>(const ClickRollupKey&) const = default;
};
struct ClickCounts {
  int64_t clicks = 0;
  int64_t filtered_clicks = 0;  // with a filter_reason (prefetch, bot)
};

// campaign_id is the conversion's, which is its click's; click_tag_id is its click's tag_id.
struct ConversionRollupKey {
  std::string partner_id;
  int64_t bucket = 0;
  std::optional<std::string> campaign_id;
  std::string event_type;
  std::string currency;
  std::optional<std::string> click_tag_id;
  auto operator<=>(const ConversionRollupKey&) const = default;
};
struct ConversionCounts {
  int64_t conversions = 0;
  Micros128 value_micros = 0;
  // Per latency bucket; a conversion without a click_time (stored before clicks kept one) is
  // in none.
  std::array<int64_t, kLatencyBuckets> latency{};
};

// The day level (docs/architecture.md "Rollups"): the same counters per UTC day, each kept for a
// few groupings of the kind's dimensions, so that a report over whole days reads one row per day
// and group instead of one per quarter hour and every combination of dimensions. A grouping is
// the bitmask of the dimensions it keeps (bit i: RollupQuery::dims[i]); a dimension it does not
// keep is left empty ("" or nullopt) in the key.
inline constexpr int64_t kRollupDayMicros = int64_t{86400} * 1'000'000;

// The start of the UTC day holding `t` (floor, also before 1970).
inline int64_t RollupDay(UnixMicros t) {
  int64_t d = t / kRollupDayMicros;
  if (t % kRollupDayMicros < 0) --d;
  return d * kRollupDayMicros;
}

// The hour level (docs/architecture.md "Rollups"): the counters per UTC hour, in the one
// grouping that keeps every dimension (kHourGrouping). A report in a zone whose midnight is not
// UTC's reads a local day as its nearest UTC day's row, corrected by the hour rows between the
// two midnights (rollup_sql.h RollupHourPlan), so it reads a few rows per group and day instead
// of every quarter hour. One grouping, not the day level's few: a commit then adds at most one
// hour upsert per quarter-hour upsert (an hour row per day grouping cost conversions 12 % of
// their rate on SQLite, docs/benchmarks.md), and a report sums the hour rows of a finer grouping
// into its groups. Hour rows are keyed by their hour of the UTC day first (`hod`), so that the
// correcting hours of every day of a range are a few index ranges.
inline constexpr int64_t kRollupHourMicros = int64_t{3600} * 1'000'000;

// The start of the UTC hour holding `t` (floor, also before 1970).
inline int64_t RollupHour(UnixMicros t) {
  int64_t h = t / kRollupHourMicros;
  if (t % kRollupHourMicros < 0) --h;
  return h * kRollupHourMicros;
}

// The hour of its UTC day (0-23) that `t` lies in.
inline int RollupHourOfDay(UnixMicros t) {
  return static_cast<int>((RollupHour(t) - RollupDay(t)) / kRollupHourMicros);
}

// Each kind's day (and hour) groupings, in the order a report picks them: the first that keeps
// every dimension the report needs (the last keeps them all, so one always does). Conversions keep
// the currency (bit 2) in every grouping: amounts of different currencies are never added.
inline constexpr std::array<int, 1> kEventDayGroupings = {0b11};
inline constexpr std::array<int, 3> kClickDayGroupings = {0b01, 0b10, 0b11};
inline constexpr std::array<int, 4> kConversionDayGroupings = {0b0110, 0b0101, 0b0111, 0b1111};
// The hour level's grouping of each kind: every dimension.
inline constexpr std::array<int, 1> kEventHourGroupings = {0b11};
inline constexpr std::array<int, 1> kClickHourGroupings = {0b11};
inline constexpr std::array<int, 1> kConversionHourGroupings = {0b1111};

template <class Key>
struct GroupedRollupKey {
  int kept = 0;  // the grouping
  Key key;       // key.bucket: the day's (or the hour's) start
  auto operator<=>(const GroupedRollupKey&) const = default;
};

// For code that writes both levels alike: a key's quarter-hour part (a day key's `key`) and its
// grouping (none for a quarter-hour key).
template <class Key>
const Key& BaseRollupKey(const Key& key) {
  return key;
}
template <class Key>
const Key& BaseRollupKey(const GroupedRollupKey<Key>& day) {
  return day.key;
}
template <class Key>
std::optional<int64_t> RollupKept(const Key&) {
  return std::nullopt;
}
template <class Key>
std::optional<int64_t> RollupKept(const GroupedRollupKey<Key>& day) {
  return day.kept;
}

// What one write transaction adds to the rollups. Ordered maps: the upserts go in key order,
// the same order on every server (PostgreSQL row locks, taken in one global order, cannot
// deadlock).
struct RollupDelta {
  std::map<EventRollupKey, int64_t> events;
  std::map<ClickRollupKey, ClickCounts> clicks;
  std::map<ConversionRollupKey, ConversionCounts> conversions;

  bool empty() const { return events.empty() && clicks.empty() && conversions.empty(); }
  void Clear() { *this = RollupDelta(); }
};

// The day (or hour) rows a write transaction adds: its quarter-hour groups folded into their UTC
// days (hours), once per grouping (so the work is per distinct group of the commit, not per
// record).
struct GroupedRollupDelta {
  std::map<GroupedRollupKey<EventRollupKey>, int64_t> events;
  std::map<GroupedRollupKey<ClickRollupKey>, ClickCounts> clicks;
  std::map<GroupedRollupKey<ConversionRollupKey>, ConversionCounts> conversions;
};
GroupedRollupDelta DayRollupsOf(const RollupDelta& delta);
GroupedRollupDelta HourRollupsOf(const RollupDelta& delta);

// Adds every record that `ops` stored (outcome kStored of an ok op that is not a dry run).
void AddStoredToRollups(std::span<WriteOp* const> ops, RollupDelta& delta);
void AddEventToRollups(const EventRecord& e, RollupDelta& delta);
void AddClickToRollups(const ClickRecord& c, RollupDelta& delta);
void AddConversionToRollups(const ConversionRecord& c, RollupDelta& delta);

// A nullable dimension as it is kept in a rollup's unique key, which cannot hold NULL: "" for
// none, "=" + value otherwise (so a present empty string stays distinct from none).
std::string RollupDimKey(const std::optional<std::string>& value);
std::optional<std::string> RollupDimValue(std::string key);

// Exact decimal text of micro-units, trailing zeros dropped: 10500000 -> "10.5", 0 -> "0".
std::string FormatMicros128(Micros128 micros);
// The same text, appended to `out`.
void AppendMicros128(std::string& out, Micros128 micros);
// Parses a decimal "123", "123.45", "-0.000001" (at most 6 fraction digits) into micro-units.
std::optional<Micros128> ParseMicros128(std::string_view text);

}  // namespace thrad
