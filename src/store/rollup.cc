#include "store/rollup.h"

#include <algorithm>
#include <variant>

namespace thrad {
namespace {

constexpr int64_t kHourMicros = int64_t{3600} * 1'000'000;
constexpr int64_t kDayMicros = 24 * kHourMicros;

// The start of the day (kDayMicros) or hour (kHourMicros) holding `bucket`.
int64_t Floor(int64_t bucket, int64_t level) {
  return level == kDayMicros ? RollupDay(bucket) : RollupHour(bucket);
}

// The key of `key`'s day (hour) row for the grouping `kept`: the dimensions it does not keep
// emptied.
EventRollupKey EventGroupKey(EventRollupKey key, int kept, int64_t level) {
  key.bucket = Floor(key.bucket, level);
  if (!(kept & 1)) key.tag_id.clear();
  if (!(kept & 2)) key.event_name.clear();
  return key;
}
ClickRollupKey ClickGroupKey(ClickRollupKey key, int kept, int64_t level) {
  key.bucket = Floor(key.bucket, level);
  if (!(kept & 1)) key.campaign_id.reset();
  if (!(kept & 2)) key.tag_id.reset();
  return key;
}
ConversionRollupKey ConversionGroupKey(ConversionRollupKey key, int kept, int64_t level) {
  key.bucket = Floor(key.bucket, level);
  if (!(kept & 1)) key.campaign_id.reset();
  if (!(kept & 2)) key.event_type.clear();
  if (!(kept & 4)) key.currency.clear();
  if (!(kept & 8)) key.click_tag_id.reset();
  return key;
}

void AddCounts(int64_t& to, int64_t n) { to += n; }
void AddCounts(ClickCounts& to, const ClickCounts& n) {
  to.clicks += n.clicks;
  to.filtered_clicks += n.filtered_clicks;
}
void AddCounts(ConversionCounts& to, const ConversionCounts& n) {
  to.conversions += n.conversions;
  to.value_micros += n.value_micros;
  for (int i = 0; i < kLatencyBuckets; ++i) to.latency[i] += n.latency[i];
}

// Adds every group of `quarters` to its day (hour) row of each grouping.
template <class Key, class Counts, size_t N, class GroupKeyOf>
void FoldIntoGroups(const std::map<Key, Counts>& quarters, const std::array<int, N>& groupings,
                    int64_t level, GroupKeyOf&& group_key,
                    std::map<GroupedRollupKey<Key>, Counts>& out) {
  for (const auto& [key, counts] : quarters) {
    for (int kept : groupings) AddCounts(out[{kept, group_key(key, kept, level)}], counts);
  }
}

template <size_t E, size_t C, size_t V>
GroupedRollupDelta GroupedRollupsOf(const RollupDelta& delta, int64_t level,
                                    const std::array<int, E>& events,
                                    const std::array<int, C>& clicks,
                                    const std::array<int, V>& conversions) {
  GroupedRollupDelta out;
  FoldIntoGroups(delta.events, events, level, EventGroupKey, out.events);
  FoldIntoGroups(delta.clicks, clicks, level, ClickGroupKey, out.clicks);
  FoldIntoGroups(delta.conversions, conversions, level, ConversionGroupKey, out.conversions);
  return out;
}

}  // namespace

UnixMicros EventReportTime(const EventRecord& e) {
  return e.timestamp ? *e.timestamp * 1'000'000 : e.received_at;
}

int LatencyBucket(int64_t latency_micros) {
  if (latency_micros < 0) return 0;
  if (latency_micros <= kHourMicros) return 1;
  if (latency_micros <= kDayMicros) return 2;
  if (latency_micros <= 7 * kDayMicros) return 3;
  if (latency_micros <= 30 * kDayMicros) return 4;
  return 5;
}

void AddEventToRollups(const EventRecord& e, RollupDelta& delta) {
  EventRollupKey key;
  key.partner_id = e.partner_id;
  key.bucket = RollupBucket(EventReportTime(e));
  key.tag_id = e.tag_id;
  key.event_name = e.event_name;
  ++delta.events[std::move(key)];
}

void AddClickToRollups(const ClickRecord& c, RollupDelta& delta) {
  ClickRollupKey key;
  key.partner_id = c.partner_id;
  key.bucket = RollupBucket(c.created_at);
  key.campaign_id = c.campaign_id;
  key.tag_id = c.tag_id;
  ClickCounts& counts = delta.clicks[std::move(key)];
  ++counts.clicks;
  if (c.filter_reason) ++counts.filtered_clicks;
}

void AddConversionToRollups(const ConversionRecord& c, RollupDelta& delta) {
  ConversionRollupKey key;
  key.partner_id = c.partner_id;
  key.bucket = RollupBucket(c.conversion_time);
  key.campaign_id = c.campaign_id;
  key.event_type = c.event_type;
  key.currency = c.currency;
  key.click_tag_id = c.click_tag_id;
  ConversionCounts& counts = delta.conversions[std::move(key)];
  ++counts.conversions;
  counts.value_micros += c.value_micros;
  if (c.click_time) ++counts.latency[LatencyBucket(c.conversion_time - *c.click_time)];
}

GroupedRollupDelta DayRollupsOf(const RollupDelta& delta) {
  return GroupedRollupsOf(delta, kDayMicros, kEventDayGroupings, kClickDayGroupings,
                          kConversionDayGroupings);
}

GroupedRollupDelta HourRollupsOf(const RollupDelta& delta) {
  return GroupedRollupsOf(delta, kHourMicros, kEventHourGroupings, kClickHourGroupings,
                          kConversionHourGroupings);
}

void AddStoredToRollups(std::span<WriteOp* const> ops, RollupDelta& delta) {
  for (const WriteOp* op : ops) {
    if (!op->status.ok() || op->dry_run) continue;
    if (const auto* w = std::get_if<EventWrite>(&op->payload)) {
      for (size_t i = 0; i < w->events.size() && i < w->outcomes.size(); ++i) {
        if (w->outcomes[i] == WriteOutcome::kStored) AddEventToRollups(w->events[i], delta);
      }
    } else if (const auto* cw = std::get_if<ClickWrite>(&op->payload)) {
      for (size_t i = 0; i < cw->clicks.size() && i < cw->outcomes.size(); ++i) {
        if (cw->outcomes[i] == WriteOutcome::kStored) AddClickToRollups(cw->clicks[i], delta);
      }
    } else if (const auto* conv_write = std::get_if<ConversionWrite>(&op->payload)) {
      const auto& conv = *conv_write;
      if (conv.outcome == WriteOutcome::kStored) AddConversionToRollups(conv.conversion, delta);
    }
  }
}

std::string RollupDimKey(const std::optional<std::string>& value) {
  return value ? "=" + *value : std::string();
}

std::optional<std::string> RollupDimValue(std::string key) {
  if (key.empty()) return std::nullopt;
  key.erase(0, 1);
  return key;
}

void AppendMicros128(std::string& out, Micros128 micros) {
  // The magnitude's digits, least significant first, at the end of `buf` (the most negative
  // value's magnitude fits the unsigned type); 64-bit division while the magnitude fits 64 bits.
  using U128 = unsigned __int128;
  U128 v = micros < 0 ? U128{0} - static_cast<U128>(micros) : static_cast<U128>(micros);
  char buf[48];
  char* end = buf + sizeof buf;
  char* p = end;
  while (v > UINT64_MAX) {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  for (auto w = static_cast<uint64_t>(v); w != 0 || p == end; w /= 10) {
    *--p = static_cast<char>('0' + static_cast<int>(w % 10));
  }
  while (end - p < 7) *--p = '0';  // at least one whole digit and six of the fraction
  char* point = end - 6;
  char* frac_end = end;
  while (frac_end > point && frac_end[-1] == '0') --frac_end;
  if (micros < 0) out += '-';
  out.append(p, point);
  if (frac_end > point) {
    out += '.';
    out.append(point, frac_end);
  }
}

std::string FormatMicros128(Micros128 micros) {
  std::string out;
  AppendMicros128(out, micros);
  return out;
}

std::optional<Micros128> ParseMicros128(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  const size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 30 || frac.size() > 6) return std::nullopt;
  Micros128 v = 0;
  for (char ch : whole) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  for (size_t i = 0; i < 6; ++i) {
    const char ch = i < frac.size() ? frac[i] : '0';
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  return negative ? -v : v;
}

}  // namespace thrad
