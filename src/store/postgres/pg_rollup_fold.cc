// The rollup folder's transaction (schema/postgres/009_rollup_pending.sql): the pending
// quarter-hour counters that write transactions appended, moved into the rollups.

#include <string>
#include <vector>

#include "store/postgres/pg_rollups.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_write_queries.h"

namespace thrad {
namespace {

// Serializes folders across every server sharing the database (two folders deleting the same
// pending rows in different orders could deadlock): "thrad" + "fold" as a 64-bit key.
constexpr char kFoldLock[] = "SELECT pg_advisory_xact_lock(7523939282993147748)";

// At most this many pending rows of each kind per transaction, so a backlog (a folder that
// could not run for a while) is moved in bounded pieces.
constexpr int kFoldBatch = 50000;

std::string Take(std::string_view table, std::string_view columns) {
  const std::string t(table);
  return "DELETE FROM " + t + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + t + " LIMIT " +
         std::to_string(kFoldBatch) + ")) RETURNING " + std::string(columns);
}

// A conversion's value is numeric; every other counter int8.
Status AddRows(const PgResult& events, const PgResult& clicks, const PgResult& conversions,
               RollupDelta& delta) {
  for (int i = 0; i < events.Rows(); ++i) {
    delta.events[{events.Str(i, 0), events.Int64(i, 1), events.Str(i, 2), events.Str(i, 3)}] +=
        events.Int64(i, 4);
  }
  for (int i = 0; i < clicks.Rows(); ++i) {
    ClickCounts& c =
        delta.clicks[{clicks.Str(i, 0), clicks.Int64(i, 1), RollupDimValue(clicks.Str(i, 2)),
                      RollupDimValue(clicks.Str(i, 3))}];
    c.clicks += clicks.Int64(i, 4);
    c.filtered_clicks += clicks.Int64(i, 5);
  }
  for (int i = 0; i < conversions.Rows(); ++i) {
    const PgResult& r = conversions;
    std::optional<Micros128> value = ParseMicros128(r.Str(i, 7));
    if (!value) return Status::Internal("pending rollup value is not a decimal: " + r.Str(i, 7));
    ConversionCounts& c =
        delta.conversions[{r.Str(i, 0), r.Int64(i, 1), RollupDimValue(r.Str(i, 2)), r.Str(i, 3),
                           r.Str(i, 4), RollupDimValue(r.Str(i, 5))}];
    c.conversions += r.Int64(i, 6);
    c.value_micros += *value;
    for (int k = 0; k < kLatencyBuckets; ++k) c.latency[k] += r.Int64(i, 8 + k);
  }
  return Status::Ok();
}

}  // namespace

Result<ReportStore::RollupFold> PostgresStore::FoldPendingRollups() {
  std::lock_guard lock(folder_mu_);
  Result<PgConn*> conn = folder_.Get();
  if (!conn.ok()) return conn.status();
  const std::vector<PgQuery> take = {
      {"BEGIN", {}},
      {kFoldLock, {}},
      {Take("rollup_events_pending", "partner_id, bucket, tag_id, event_name, events"), {}},
      {Take("rollup_clicks_pending",
            "partner_id, bucket, campaign_key, tag_key, clicks, filtered_clicks"),
       {}},
      {Take("rollup_conversions_pending",
            "partner_id, bucket, campaign_key, event_type, currency, click_tag_key, conversions, "
            "value::text, latency_negative, latency_1h, latency_1d, latency_7d, latency_30d, "
            "latency_more"),
       {}},
  };
  Result<std::vector<PgResult>> taken = (*conn)->Pipeline(take);
  if (!taken.ok()) {
    folder_.AfterError();
    return taken.status();
  }
  const std::vector<PgResult>& t = *taken;
  RollupFold fold;
  for (int kind = 2; kind <= 4; ++kind) {
    fold.moved += static_cast<size_t>(t[kind].Rows());
    fold.more = fold.more || t[kind].Rows() >= kFoldBatch;  // the batch ran full
  }
  RollupDelta delta;
  if (Status st = AddRows(t[2], t[3], t[4], delta); !st.ok()) {
    folder_.AfterError();
    return st;
  }
  std::vector<PgQuery> q = UpsertRollupQueries(delta);
  q.push_back({"COMMIT", {}});
  Result<std::vector<PgResult>> done = (*conn)->Pipeline(q);
  if (!done.ok()) {
    folder_.AfterError();
    return done.status();
  }
  THRAD_RETURN_IF_ERROR(CheckCommitted(done->back()));
  return fold;
}

}  // namespace thrad
