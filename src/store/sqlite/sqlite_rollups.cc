#include "store/sqlite/sqlite_rollups.h"

#include <string_view>

namespace thrad {
namespace {

constexpr int64_t kMicrosPerUnit = 1'000'000;

constexpr std::string_view kUpsertEvents =
    "INSERT INTO rollup_events(partner_id, bucket, tag_id, event_name, events) "
    "VALUES(?, ?, ?, ?, ?) ON CONFLICT(partner_id, bucket, tag_id, event_name) "
    "DO UPDATE SET events = events + excluded.events";

constexpr std::string_view kUpsertClicks =
    "INSERT INTO rollup_clicks(partner_id, bucket, campaign_key, tag_key, clicks, "
    "filtered_clicks) VALUES(?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(partner_id, bucket, campaign_key, tag_key) DO UPDATE SET "
    "clicks = clicks + excluded.clicks, "
    "filtered_clicks = filtered_clicks + excluded.filtered_clicks";

// value_micros stays in 0..999,999: the carry goes to value_units (SET reads the old row).
constexpr std::string_view kUpsertConversions =
    "INSERT INTO rollup_conversions(partner_id, bucket, campaign_key, event_type, currency, "
    "click_tag_key, conversions, value_units, value_micros, latency_negative, latency_1h, "
    "latency_1d, latency_7d, latency_30d, latency_more) "
    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(partner_id, bucket, campaign_key, event_type, currency, click_tag_key) "
    "DO UPDATE SET conversions = conversions + excluded.conversions, "
    "value_units = value_units + excluded.value_units "
    "+ (value_micros + excluded.value_micros) / 1000000, "
    "value_micros = (value_micros + excluded.value_micros) % 1000000, "
    "latency_negative = latency_negative + excluded.latency_negative, "
    "latency_1h = latency_1h + excluded.latency_1h, "
    "latency_1d = latency_1d + excluded.latency_1d, "
    "latency_7d = latency_7d + excluded.latency_7d, "
    "latency_30d = latency_30d + excluded.latency_30d, "
    "latency_more = latency_more + excluded.latency_more";

}  // namespace

Status UpsertRollups(SqliteDb& db, const RollupDelta& delta) {
  if (!delta.events.empty()) {
    Result<SqliteStatement> st = db.Prepare(kUpsertEvents);
    if (!st.ok()) return st.status();
    for (const auto& [key, events] : delta.events) {
      st->Reset();
      st->BindStatic(1, key.partner_id);
      st->Bind(2, key.bucket);
      st->BindStatic(3, key.tag_id);
      st->BindStatic(4, key.event_name);
      st->Bind(5, events);
      THRAD_RETURN_IF_ERROR(st->Run());
    }
  }
  if (!delta.clicks.empty()) {
    Result<SqliteStatement> st = db.Prepare(kUpsertClicks);
    if (!st.ok()) return st.status();
    for (const auto& [key, counts] : delta.clicks) {
      st->Reset();
      st->BindStatic(1, key.partner_id);
      st->Bind(2, key.bucket);
      st->Bind(3, RollupDimKey(key.campaign_id));
      st->Bind(4, RollupDimKey(key.tag_id));
      st->Bind(5, counts.clicks);
      st->Bind(6, counts.filtered_clicks);
      THRAD_RETURN_IF_ERROR(st->Run());
    }
  }
  if (!delta.conversions.empty()) {
    Result<SqliteStatement> st = db.Prepare(kUpsertConversions);
    if (!st.ok()) return st.status();
    for (const auto& [key, counts] : delta.conversions) {
      st->Reset();
      st->BindStatic(1, key.partner_id);
      st->Bind(2, key.bucket);
      st->Bind(3, RollupDimKey(key.campaign_id));
      st->BindStatic(4, key.event_type);
      st->BindStatic(5, key.currency);
      st->Bind(6, RollupDimKey(key.click_tag_id));
      st->Bind(7, counts.conversions);
      // A commit's sum is far below 2^63 whole units (at most 1e12 per conversion).
      st->Bind(8, static_cast<int64_t>(counts.value_micros / kMicrosPerUnit));
      st->Bind(9, static_cast<int64_t>(counts.value_micros % kMicrosPerUnit));
      for (int i = 0; i < kLatencyBuckets; ++i) st->Bind(10 + i, counts.latency[i]);
      THRAD_RETURN_IF_ERROR(st->Run());
    }
  }
  return Status::Ok();
}

}  // namespace thrad
