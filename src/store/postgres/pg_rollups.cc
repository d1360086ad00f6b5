#include "store/postgres/pg_rollups.h"

#include <string>

namespace thrad {
namespace {

constexpr char kUpsertEvents[] =
    "INSERT INTO rollup_events(partner_id, bucket, tag_id, event_name, events) "
    "SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::int8[]) "
    "ON CONFLICT (partner_id, bucket, tag_id, event_name) "
    "DO UPDATE SET events = rollup_events.events + excluded.events";

constexpr char kUpsertClicks[] =
    "INSERT INTO rollup_clicks(partner_id, bucket, campaign_key, tag_key, clicks, "
    "filtered_clicks) "
    "SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::int8[], "
    "$6::int8[]) "
    "ON CONFLICT (partner_id, bucket, campaign_key, tag_key) DO UPDATE SET "
    "clicks = rollup_clicks.clicks + excluded.clicks, "
    "filtered_clicks = rollup_clicks.filtered_clicks + excluded.filtered_clicks";

constexpr char kUpsertConversions[] =
    "INSERT INTO rollup_conversions(partner_id, bucket, campaign_key, event_type, currency, "
    "click_tag_key, conversions, value, latency_negative, latency_1h, latency_1d, latency_7d, "
    "latency_30d, latency_more) "
    "SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], "
    "$6::text[], $7::int8[], $8::numeric[], $9::int8[], $10::int8[], $11::int8[], $12::int8[], "
    "$13::int8[], $14::int8[]) "
    "ON CONFLICT (partner_id, bucket, campaign_key, event_type, currency, click_tag_key) "
    "DO UPDATE SET conversions = rollup_conversions.conversions + excluded.conversions, "
    "value = rollup_conversions.value + excluded.value, "
    "latency_negative = rollup_conversions.latency_negative + excluded.latency_negative, "
    "latency_1h = rollup_conversions.latency_1h + excluded.latency_1h, "
    "latency_1d = rollup_conversions.latency_1d + excluded.latency_1d, "
    "latency_7d = rollup_conversions.latency_7d + excluded.latency_7d, "
    "latency_30d = rollup_conversions.latency_30d + excluded.latency_30d, "
    "latency_more = rollup_conversions.latency_more + excluded.latency_more";

PgQuery Finish(const char* sql, const char* name, std::vector<PgArray>& columns) {
  PgQuery q{sql, {}, name};
  for (PgArray& c : columns) q.params.emplace_back(std::move(c).Finish());
  return q;
}

}  // namespace

std::vector<PgQuery> UpsertRollupQueries(const RollupDelta& delta) {
  std::vector<PgQuery> queries;
  if (!delta.events.empty()) {
    std::vector<PgArray> c(5);
    for (const auto& [key, events] : delta.events) {
      c[0].Add(key.partner_id);
      c[1].Add(key.bucket);
      c[2].Add(key.tag_id);
      c[3].Add(key.event_name);
      c[4].Add(events);
    }
    queries.push_back(Finish(kUpsertEvents, "thrad_rollup_events", c));
  }
  if (!delta.clicks.empty()) {
    std::vector<PgArray> c(6);
    for (const auto& [key, counts] : delta.clicks) {
      c[0].Add(key.partner_id);
      c[1].Add(key.bucket);
      c[2].Add(RollupDimKey(key.campaign_id));
      c[3].Add(RollupDimKey(key.tag_id));
      c[4].Add(counts.clicks);
      c[5].Add(counts.filtered_clicks);
    }
    queries.push_back(Finish(kUpsertClicks, "thrad_rollup_clicks", c));
  }
  if (!delta.conversions.empty()) {
    std::vector<PgArray> c(14);
    for (const auto& [key, counts] : delta.conversions) {
      c[0].Add(key.partner_id);
      c[1].Add(key.bucket);
      c[2].Add(RollupDimKey(key.campaign_id));
      c[3].Add(key.event_type);
      c[4].Add(key.currency);
      c[5].Add(RollupDimKey(key.click_tag_id));
      c[6].Add(counts.conversions);
      c[7].Add(FormatMicros128(counts.value_micros));
      for (int i = 0; i < kLatencyBuckets; ++i) c[8 + i].Add(counts.latency[i]);
    }
    queries.push_back(Finish(kUpsertConversions, "thrad_rollup_conversions", c));
  }
  return queries;
}

}  // namespace thrad
