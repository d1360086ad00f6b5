// SqliteStore: diagnostics (REPORTS.md section 5). The flush's write (a RefusalWrite op inside
// CommitBatch's transaction) and the read of GET /v1/api/diagnostics on the reports connection.
#include <set>

#include "store/refusal_sql.h"
#include "store/sqlite/sqlite_store.h"

namespace thrad {
namespace {

constexpr char kUpsertCount[] =
    "INSERT INTO refusal_counts(partner_id, bucket, route, status, detail, type, loc, count) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT (partner_id, bucket, route, status, detail, type, loc) "
    "DO UPDATE SET count = count + excluded.count";

constexpr char kInsertSample[] =
    "INSERT INTO refusal_samples(partner_id, at, route, status, detail, errors, request_id, "
    "key_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

// Keeps a partner's newest kRefusalSamplesKept samples.
constexpr char kTrimSamples[] =
    "DELETE FROM refusal_samples WHERE partner_id = ?1 AND id NOT IN ("
    "SELECT id FROM refusal_samples WHERE partner_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2)";

constexpr char kDropOldCounts[] = "DELETE FROM refusal_counts WHERE bucket < ?1";

}  // namespace

Status SqliteStore::ApplyRefusals(SqliteDb& db, const RefusalWrite& write) {
  for (const auto& [key, delta] : write.counts) {
    Result<SqliteStatement> st = db.Prepare(kUpsertCount);
    if (!st.ok()) return st.status();
    st->Bind(1, key.partner_id);
    st->Bind(2, key.bucket);
    st->Bind(3, key.route);
    st->Bind(4, int64_t{key.status});
    st->Bind(5, key.detail);
    st->Bind(6, key.type);
    st->Bind(7, key.loc);
    st->Bind(8, delta);
    THRAD_RETURN_IF_ERROR(st->Run());
  }
  std::set<std::string> partners;
  for (const RefusalSample& s : write.samples) {
    Result<SqliteStatement> st = db.Prepare(kInsertSample);
    if (!st.ok()) return st.status();
    st->Bind(1, s.partner_id);
    st->Bind(2, s.at);
    st->Bind(3, s.route);
    st->Bind(4, int64_t{s.status});
    st->Bind(5, s.detail);
    st->Bind(6, s.errors);
    st->Bind(7, s.request_id);
    st->Bind(8, s.key_id);
    THRAD_RETURN_IF_ERROR(st->Run());
    partners.insert(s.partner_id);
  }
  for (const std::string& partner : partners) {
    Result<SqliteStatement> st = db.Prepare(kTrimSamples);
    if (!st.ok()) return st.status();
    st->Bind(1, partner);
    st->Bind(2, static_cast<int64_t>(kRefusalSamplesKept));
    THRAD_RETURN_IF_ERROR(st->Run());
  }
  Result<SqliteStatement> drop = db.Prepare(kDropOldCounts);
  if (!drop.ok()) return drop.status();
  drop->Bind(1, RefusalBucket(write.now) - kRefusalMaxHours * kRefusalBucketMicros);
  return drop->Run();
}

Result<RefusalReport> SqliteStore::ReadRefusals(const RefusalQuery& q) {
  std::lock_guard lock(reports_mu_);
  Result<SqliteDb*> db = ReportsDb();
  if (!db.ok()) return db.status();
  RefusalReport report;
  // One read transaction: counts and samples from the same snapshot.
  THRAD_RETURN_IF_ERROR((*db)->Run("BEGIN"));
  Status st = [&]() -> Status {
    {
      Result<SqliteStatement> counts = (*db)->Prepare(RefusalCountsSql(q, false));
      if (!counts.ok()) return counts.status();
      counts->Bind(1, q.from_bucket);
      if (q.partner_id) counts->Bind(2, *q.partner_id);
      while (true) {
        Result<bool> more = counts->Step();
        if (!more.ok()) return more.status();
        if (!*more) break;
        report.counts.push_back({counts->Text(0), static_cast<int>(counts->Int64(1)),
                                 counts->Text(2), counts->Text(3), counts->Text(4),
                                 counts->Int64(5)});
      }
    }
    Result<SqliteStatement> samples = (*db)->Prepare(RefusalSamplesSql(q, false));
    if (!samples.ok()) return samples.status();
    samples->Bind(1, q.since);
    if (q.partner_id) samples->Bind(2, *q.partner_id);
    samples->Bind(q.partner_id ? 3 : 2, static_cast<int64_t>(q.limit));
    while (true) {
      Result<bool> more = samples->Step();
      if (!more.ok()) return more.status();
      if (!*more) break;
      RefusalSample s;
      s.at = samples->Int64(0);
      s.route = samples->Text(1);
      s.status = static_cast<int>(samples->Int64(2));
      s.detail = samples->Text(3);
      s.errors = samples->Text(4);
      s.request_id = samples->Text(5);
      s.key_id = samples->Text(6);
      s.partner_id = samples->Text(7);
      report.recent.push_back(std::move(s));
    }
    return Status::Ok();
  }();
  (void)(*db)->Run("COMMIT");
  if (!st.ok()) return st;
  return report;
}

}  // namespace thrad
