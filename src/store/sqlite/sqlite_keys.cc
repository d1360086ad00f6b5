// SqliteStore: API keys (rare writes on the admin connection, look-ups on the reader).
#include <string>

#include "store/sqlite/sqlite_store.h"

namespace thrad {
namespace {

constexpr std::string_view kKeyColumns =
    "id, digest, partner_id, label, scopes, created_at, expires_at, revoked_at, last_used_at, "
    "rate_limit_rps, rate_limit_burst";

KeyRecord ReadKey(const SqliteStatement& s) {
  KeyRecord k;
  k.id = s.Text(0);
  k.digest = s.Text(1);
  k.partner_id = s.Text(2);
  k.label = s.Text(3);
  k.scopes = static_cast<uint32_t>(s.Int64(4));
  k.created_at = s.Int64(5);
  k.expires_at = s.OptInt64(6);
  k.revoked_at = s.OptInt64(7);
  k.last_used_at = s.OptInt64(8);
  k.rate_limit_rps = s.OptDouble(9);
  k.rate_limit_burst = s.OptInt64(10);
  return k;
}

}  // namespace

Status SqliteStore::InsertKey(const KeyRecord& key) {
  std::lock_guard lock(admin_mu_);
  Result<SqliteStatement> insert = admin_->Prepare(
      "INSERT INTO api_keys(" + std::string(kKeyColumns) + ") VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, key.id);
  insert->Bind(2, key.digest);
  insert->Bind(3, key.partner_id);
  insert->Bind(4, key.label);
  insert->Bind(5, int64_t{key.scopes});
  insert->Bind(6, int64_t{key.created_at});
  insert->Bind(7, key.expires_at);
  insert->Bind(8, key.revoked_at);
  insert->Bind(9, key.last_used_at);
  insert->Bind(10, key.rate_limit_rps);
  insert->Bind(11, key.rate_limit_burst);
  return insert->Run();
}

Result<std::optional<KeyRecord>> SqliteStore::FindKey(std::string_view column,
                                                      std::string_view value) {
  std::lock_guard lock(reader_mu_);
  Result<SqliteStatement> find =
      reader_->Prepare("SELECT " + std::string(kKeyColumns) + " FROM api_keys WHERE " +
                       std::string(column) + " = ?");
  if (!find.ok()) return find.status();
  find->Bind(1, value);
  Result<bool> row = find->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<KeyRecord>();
  return std::optional<KeyRecord>(ReadKey(*find));
}

Result<std::optional<KeyRecord>> SqliteStore::FindKeyByDigest(std::string_view digest) {
  return FindKey("digest", digest);
}

Result<std::optional<KeyRecord>> SqliteStore::FindKeyById(std::string_view key_id) {
  return FindKey("id", key_id);
}

Result<std::vector<KeyRecord>> SqliteStore::ListKeys(std::optional<std::string> partner_id) {
  std::lock_guard lock(reader_mu_);
  Result<SqliteStatement> list = reader_->Prepare(
      "SELECT " + std::string(kKeyColumns) +
      " FROM api_keys WHERE ?1 IS NULL OR partner_id = ?1 ORDER BY created_at, id");
  if (!list.ok()) return list.status();
  list->Bind(1, partner_id);
  std::vector<KeyRecord> keys;
  while (true) {
    Result<bool> row = list->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    keys.push_back(ReadKey(*list));
  }
  return keys;
}

Status SqliteStore::RevokeKey(std::string_view key_id, UnixMicros at) {
  std::lock_guard lock(admin_mu_);
  // COALESCE keeps the first revocation time when a key is revoked twice.
  Result<SqliteStatement> revoke =
      admin_->Prepare("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?");
  if (!revoke.ok()) return revoke.status();
  revoke->Bind(1, int64_t{at});
  revoke->Bind(2, key_id);
  THRAD_RETURN_IF_ERROR(revoke->Run());
  if (admin_->Changes() == 0) return Status::NotFound("no key with id " + std::string(key_id));
  return Status::Ok();
}

Status SqliteStore::UpdateKeyLimits(std::string_view key_id, std::optional<double> rate_limit_rps,
                                    std::optional<int64_t> rate_limit_burst) {
  std::lock_guard lock(admin_mu_);
  Result<SqliteStatement> update =
      admin_->Prepare("UPDATE api_keys SET rate_limit_rps = ?, rate_limit_burst = ? WHERE id = ?");
  if (!update.ok()) return update.status();
  update->Bind(1, rate_limit_rps);
  update->Bind(2, rate_limit_burst);
  update->Bind(3, key_id);
  THRAD_RETURN_IF_ERROR(update->Run());
  if (admin_->Changes() == 0) return Status::NotFound("no key with id " + std::string(key_id));
  return Status::Ok();
}

Status SqliteStore::TouchKeys(const std::vector<std::pair<std::string, UnixMicros>>& last_used) {
  if (last_used.empty()) return Status::Ok();
  std::lock_guard lock(admin_mu_);
  return InWriteTransaction(*admin_, [&]() -> Status {
    for (const auto& [id, at] : last_used) {
      // Never moves last_used_at backwards (several servers flush their own views).
      Result<SqliteStatement> touch = admin_->Prepare(
          "UPDATE api_keys SET last_used_at = ?1 "
          "WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)");
      if (!touch.ok()) return touch.status();
      touch->Bind(1, int64_t{at});
      touch->Bind(2, id);
      THRAD_RETURN_IF_ERROR(touch->Run());
    }
    return Status::Ok();
  });
}

}  // namespace thrad
