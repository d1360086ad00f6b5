// PostgresStore: keys and retention (rare writes on the admin connection, key look-ups on the
// reader connection, retention deletes on the maintenance connection).
#include <cstdio>
#include <string>

#include "store/postgres/pg_store.h"
#include "store/postgres/pg_text.h"

namespace thrad {
namespace {

constexpr std::string_view kKeyColumns =
    "id, digest, partner_id, label, scopes, created_at, expires_at, revoked_at, last_used_at, "
    "rate_limit_rps, rate_limit_burst";

KeyRecord ReadKey(const PgResult& r, int row) {
  KeyRecord k;
  k.id = r.Str(row, 0);
  k.digest = r.Str(row, 1);
  k.partner_id = r.Str(row, 2);
  k.label = r.Str(row, 3);
  k.scopes = static_cast<uint32_t>(r.Int64(row, 4));
  k.created_at = r.Int64(row, 5);
  k.expires_at = r.OptInt64(row, 6);
  k.revoked_at = r.OptInt64(row, 7);
  k.last_used_at = r.OptInt64(row, 8);
  k.rate_limit_rps = r.OptDouble(row, 9);
  k.rate_limit_burst = r.OptInt64(row, 10);
  return k;
}

std::optional<std::string> Param(const std::optional<double>& v) {
  if (!v) return std::nullopt;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", *v);  // round-trips every double
  return std::string(buf);
}

}  // namespace

Status PostgresStore::InsertKey(const KeyRecord& key) {
  std::lock_guard lock(admin_mu_);
  return Run(admin_,
             {"INSERT INTO api_keys(" + std::string(kKeyColumns) +
                  ") VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
              {PgTextParam(key.id), PgTextParam(key.digest), PgTextParam(key.partner_id),
               PgTextParam(key.label), std::to_string(key.scopes), std::to_string(key.created_at),
               PgIntParam(key.expires_at), PgIntParam(key.revoked_at), PgIntParam(key.last_used_at),
               Param(key.rate_limit_rps), PgIntParam(key.rate_limit_burst)}})
      .status();
}

Result<std::optional<KeyRecord>> PostgresStore::FindKey(std::string_view column,
                                                        std::string_view value) {
  std::lock_guard lock(reader_mu_);
  Result<PgResult> r = Run(reader_, {"SELECT " + std::string(kKeyColumns) +
                                         " FROM api_keys WHERE " + std::string(column) + " = $1",
                                     {PgTextParam(value)}});
  if (!r.ok()) return r.status();
  if (r->Rows() == 0) return std::optional<KeyRecord>();
  return std::optional<KeyRecord>(ReadKey(*r, 0));
}

Result<std::optional<KeyRecord>> PostgresStore::FindKeyByDigest(std::string_view digest) {
  return FindKey("digest", digest);
}

Result<std::optional<KeyRecord>> PostgresStore::FindKeyById(std::string_view key_id) {
  return FindKey("id", key_id);
}

Result<std::vector<KeyRecord>> PostgresStore::ListKeys(std::optional<std::string> partner_id) {
  std::lock_guard lock(reader_mu_);
  // COLLATE "C": the same byte order as SQLite, whatever the database's collation.
  Result<PgResult> r = Run(reader_, {"SELECT " + std::string(kKeyColumns) +
                                         " FROM api_keys WHERE $1::text IS NULL OR partner_id = $1"
                                         " ORDER BY created_at, id COLLATE \"C\"",
                                     {PgTextParam(partner_id)}});
  if (!r.ok()) return r.status();
  std::vector<KeyRecord> keys;
  keys.reserve(static_cast<size_t>(r->Rows()));
  for (int row = 0; row < r->Rows(); ++row) keys.push_back(ReadKey(*r, row));
  return keys;
}

Status PostgresStore::RevokeKey(std::string_view key_id, UnixMicros at) {
  std::lock_guard lock(admin_mu_);
  // COALESCE keeps the first revocation time when a key is revoked twice.
  Result<PgResult> r =
      Run(admin_, {"UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
                   {std::to_string(at), PgTextParam(key_id)}});
  if (!r.ok()) return r.status();
  if (r->Affected() == 0) return Status::NotFound("no key with id " + std::string(key_id));
  return Status::Ok();
}

Status PostgresStore::TouchKeys(const std::vector<std::pair<std::string, UnixMicros>>& last_used) {
  if (last_used.empty()) return Status::Ok();
  PgArray ids, times;
  for (const auto& [id, at] : last_used) {
    ids.Add(std::string_view(id));
    times.Add(int64_t{at});
  }
  std::lock_guard lock(admin_mu_);
  // One statement for every key; never moves last_used_at backwards (several servers flush
  // their own views).
  return Run(admin_, {"UPDATE api_keys k SET last_used_at = u.at "
                      "FROM unnest($1::text[], $2::bigint[]) AS u(id, at) "
                      "WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)",
                      {std::move(ids).Finish(), std::move(times).Finish()}})
      .status();
}

Status PostgresStore::UpdateKeyLimits(std::string_view key_id, std::optional<double> rate_limit_rps,
                                      std::optional<int64_t> rate_limit_burst) {
  std::lock_guard lock(admin_mu_);
  Result<PgResult> r =
      Run(admin_, {"UPDATE api_keys SET rate_limit_rps = $1::float8, "
                   "rate_limit_burst = $2::bigint WHERE id = $3",
                   {Param(rate_limit_rps), PgIntParam(rate_limit_burst), PgTextParam(key_id)}});
  if (!r.ok()) return r.status();
  if (r->Affected() == 0) return Status::NotFound("no key with id " + std::string(key_id));
  return Status::Ok();
}

Result<uint64_t> PostgresStore::DeleteOlderThan(Table table, UnixMicros cutoff, size_t max_rows) {
  if (max_rows == 0) return Status::InvalidArgument("max_rows must be positive");
  const char* name = table == Table::kEvents ? "events" : "conversions";
  std::lock_guard lock(maintenance_mu_);
  // The oldest rows first (received_at index), at most max_rows in one short transaction.
  Result<PgResult> r =
      Run(maintenance_, {std::string("DELETE FROM ") + name +
                             " WHERE (partner_id, id) IN (SELECT partner_id, "
                             "id FROM " +
                             name + " WHERE received_at < $1 ORDER BY received_at LIMIT $2)",
                         {std::to_string(cutoff), std::to_string(max_rows)}});
  if (!r.ok()) return r.status();
  return r->Affected();
}

Result<uint64_t> PostgresStore::DeleteExpiredClicks(UnixMicros cutoff, UnixMicros now,
                                                    size_t max_rows) {
  if (max_rows == 0) return Status::InvalidArgument("max_rows must be positive");
  std::lock_guard lock(maintenance_mu_);
  // The oldest first (clicks_clicked_at, which holds exp too), at most max_rows, only those both
  // older than the cutoff and past their exp (kept through the second of their exp).
  Result<PgResult> r =
      Run(maintenance_,
          {"DELETE FROM clicks WHERE (partner_id, click_id) IN (SELECT partner_id, "
           "click_id FROM clicks WHERE clicked_at < $1 AND (exp IS NULL OR exp < $2) "
           "ORDER BY clicked_at LIMIT $3)",
           {std::to_string(cutoff), std::to_string(UnixSecondOf(now)), std::to_string(max_rows)}});
  if (!r.ok()) return r.status();
  return r->Affected();
}

Result<uint64_t> PostgresStore::CountExpiredClicks(UnixMicros cutoff, UnixMicros now) {
  std::lock_guard lock(maintenance_mu_);
  Result<PgResult> r =
      Run(maintenance_, {"SELECT count(*) FROM clicks WHERE clicked_at < $1 "
                         "AND (exp IS NULL OR exp < $2)",
                         {std::to_string(cutoff), std::to_string(UnixSecondOf(now))}});
  if (!r.ok()) return r.status();
  return static_cast<uint64_t>(r->Int64(0, 0));
}

Result<uint64_t> PostgresStore::CountOlderThan(Table table, UnixMicros cutoff) {
  const char* name = table == Table::kEvents ? "events" : "conversions";
  std::lock_guard lock(maintenance_mu_);
  Result<PgResult> r =
      Run(maintenance_, {std::string("SELECT count(*) FROM ") + name + " WHERE received_at < $1",
                         {std::to_string(cutoff)}});
  if (!r.ok()) return r.status();
  return static_cast<uint64_t>(r->Int64(0, 0));
}

}  // namespace thrad
