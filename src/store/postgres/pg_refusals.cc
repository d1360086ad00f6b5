// PostgresStore: diagnostics (REPORTS.md section 5): the flush's statements and the read of
// GET /v1/api/diagnostics.
#include "store/postgres/pg_refusals.h"

#include <algorithm>
#include <set>
#include <string>

#include "store/postgres/pg_store.h"
#include "store/postgres/pg_text.h"
#include "store/refusal_sql.h"

namespace thrad {
namespace {

// Any constant that no other advisory lock of the database uses ("thrad-r").
constexpr char kLock[] = "SELECT pg_advisory_xact_lock(7523541815632242)";

constexpr char kUpsertCounts[] =
    "INSERT INTO refusal_counts(partner_id, bucket, route, status, detail, type, loc, count) "
    "SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::int4[], $5::text[], "
    "$6::text[], $7::text[], $8::int8[]) "
    "ON CONFLICT (partner_id, bucket, route, status, detail, type, loc) "
    "DO UPDATE SET count = refusal_counts.count + excluded.count";

constexpr char kInsertSamples[] =
    "INSERT INTO refusal_samples(partner_id, at, route, status, detail, errors, request_id, "
    "key_id) SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::int4[], $5::text[], "
    "$6::text[], $7::text[], $8::text[])";

constexpr char kTrimSamples[] =
    "DELETE FROM refusal_samples s USING ("
    "SELECT partner_id, id, row_number() OVER (PARTITION BY partner_id ORDER BY at DESC, id DESC) "
    "AS rn FROM refusal_samples WHERE partner_id = ANY($1::text[])) old "
    "WHERE old.rn > $2::int8 AND s.partner_id = old.partner_id AND s.id = old.id";

constexpr char kDropOldCounts[] = "DELETE FROM refusal_counts WHERE bucket < $1::int8";

PgQuery Finish(const char* sql, std::vector<PgArray>& columns) {
  PgQuery q{sql, {}};
  for (PgArray& c : columns) q.params.emplace_back(std::move(c).Finish());
  return q;
}

}  // namespace

std::vector<PgQuery> RefusalWriteQueries(std::span<const RefusalWrite* const> writes) {
  std::vector<PgQuery> q;
  if (writes.empty()) return q;
  std::map<RefusalCountKey, int64_t> counts;  // in key order: the lock order of the upsert
  std::set<std::string> partners;
  UnixMicros now = 0;
  for (const RefusalWrite* w : writes) {
    for (const auto& [key, delta] : w->counts) counts[key] += delta;
    for (const RefusalSample& s : w->samples) partners.insert(s.partner_id);
    now = std::max(now, w->now);
  }
  q.push_back({kLock, {}});
  if (!counts.empty()) {
    std::vector<PgArray> c(8);
    for (const auto& [key, delta] : counts) {
      c[0].Add(key.partner_id);
      c[1].Add(key.bucket);
      c[2].Add(key.route);
      c[3].Add(int64_t{key.status});
      c[4].Add(key.detail);
      c[5].Add(key.type);
      c[6].Add(key.loc);
      c[7].Add(delta);
    }
    q.push_back(Finish(kUpsertCounts, c));
  }
  if (!partners.empty()) {
    std::vector<PgArray> c(8);
    for (const RefusalWrite* w : writes) {
      for (const RefusalSample& s : w->samples) {
        c[0].Add(s.partner_id);
        c[1].Add(s.at);
        c[2].Add(s.route);
        c[3].Add(int64_t{s.status});
        c[4].Add(s.detail);
        c[5].Add(s.errors);
        c[6].Add(s.request_id);
        c[7].Add(s.key_id);
      }
    }
    q.push_back(Finish(kInsertSamples, c));
    PgArray names;
    for (const std::string& p : partners) names.Add(p);
    q.push_back({kTrimSamples, {std::move(names).Finish(), std::to_string(kRefusalSamplesKept)}});
  }
  q.push_back({kDropOldCounts,
               {std::to_string(RefusalBucket(now) - kRefusalMaxHours * kRefusalBucketMicros)}});
  return q;
}

Result<RefusalReport> PostgresStore::ReadRefusals(const RefusalQuery& q) {
  RefusalReport report;
  std::vector<std::optional<std::string>> params = {std::to_string(q.from_bucket)};
  if (q.partner_id) params.push_back(PgTextParam(*q.partner_id));
  Result<PgResult> counts = RunReport({RefusalCountsSql(q, true), params});
  if (!counts.ok()) return counts.status();
  for (int i = 0; i < counts->Rows(); ++i) {
    report.counts.push_back({counts->Str(i, 0), static_cast<int>(counts->Int64(i, 1)),
                             counts->Str(i, 2), counts->Str(i, 3), counts->Str(i, 4),
                             counts->Int64(i, 5)});
  }
  params[0] = std::to_string(q.since);
  params.push_back(std::to_string(q.limit));
  Result<PgResult> samples = RunReport({RefusalSamplesSql(q, true), params});
  if (!samples.ok()) return samples.status();
  for (int i = 0; i < samples->Rows(); ++i) {
    RefusalSample s;
    s.at = samples->Int64(i, 0);
    s.route = samples->Str(i, 1);
    s.status = static_cast<int>(samples->Int64(i, 2));
    s.detail = samples->Str(i, 3);
    s.errors = samples->Str(i, 4);
    s.request_id = samples->Str(i, 5);
    s.key_id = samples->Str(i, 6);
    s.partner_id = samples->Str(i, 7);
    report.recent.push_back(std::move(s));
  }
  return report;
}

}  // namespace thrad
