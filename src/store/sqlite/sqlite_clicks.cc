// SqliteStore: clicks and signing keys (rare writes on the admin connection, look-ups on the
// reader).
#include "store/sqlite/sqlite_clicks.h"

#include <string>

#include "store/record_columns.h"
#include "store/sqlite/sqlite_rollups.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace thrad {
namespace {

const std::string& FindClickSql() {
  static const auto* const kSql =
      new std::string("SELECT " + ColumnNames<ClickRecord>() +
                      " FROM clicks WHERE partner_id = ? AND click_id = ?");
  return *kSql;
}

// Conversions name their click by (partner_id, click_id): the prefix of their unique key.
constexpr std::string_view kCountConversions =
    "SELECT count(*) FROM conversions WHERE partner_id = ? AND click_id = ?";

constexpr std::string_view kSigningKeyColumns = "kid, secret, created_at, retired_at, revoked_at";

// Whether the signing key `kid` exists, read on `db`.
Result<bool> SigningKeyExists(SqliteDb& db, std::string_view kid) {
  Result<SqliteStatement> find = db.Prepare("SELECT 1 FROM signing_keys WHERE kid = ?");
  if (!find.ok()) return find.status();
  find->Bind(1, kid);
  return find->Step();
}

}  // namespace

Result<std::optional<ClickRecord>> FindStoredClick(SqliteDb& db, std::string_view partner_id,
                                                   std::string_view click_id) {
  Result<SqliteStatement> find = db.Prepare(FindClickSql());
  if (!find.ok()) return find.status();
  find->Bind(1, partner_id);
  find->Bind(2, click_id);
  Result<bool> row = find->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ClickRecord>();
  return std::optional<ClickRecord>(ReadClickColumns(*find));
}

Status SqliteStore::InsertClick(const ClickRecord& click) {
  std::lock_guard lock(admin_mu_);
  static const auto* const kSql = new std::string(SqliteInsertSql<ClickRecord>("clicks", "", 1));
  // The click and its rollup in one transaction (reports count every stored click).
  Status st = InWriteTransaction(*admin_, [&]() -> Status {
    Result<SqliteStatement> insert = admin_->Prepare(*kSql);
    if (!insert.ok()) return insert.status();
    BindRow(*insert, click);
    THRAD_RETURN_IF_ERROR(insert->Run());
    RollupDelta delta;
    AddClickToRollups(click, delta);
    return UpsertRollups(*admin_, delta);
  });
  if (st.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("click " + click.click_id + " exists for partner " +
                                 click.partner_id);
  }
  return st;
}

Result<std::optional<ClickLookup>> SqliteStore::FindClick(std::string_view partner_id,
                                                          std::string_view click_id) {
  std::lock_guard lock(reader_mu_);
  Result<std::optional<ClickRecord>> click = FindStoredClick(*reader_, partner_id, click_id);
  if (!click.ok()) return click.status();
  if (!click->has_value()) return std::optional<ClickLookup>();
  Result<SqliteStatement> count = reader_->Prepare(kCountConversions);
  if (!count.ok()) return count.status();
  count->Bind(1, partner_id);
  count->Bind(2, click_id);
  Result<bool> row = count->Step();
  if (!row.ok()) return row.status();
  ClickLookup lookup;
  lookup.click = std::move(**click);
  lookup.conversions = *row ? static_cast<uint64_t>(count->Int64(0)) : 0;
  return std::optional<ClickLookup>(std::move(lookup));
}

Status SqliteStore::InsertSigningKey(const SigningKeyRecord& key) {
  std::lock_guard lock(admin_mu_);
  Result<SqliteStatement> insert = admin_->Prepare(
      "INSERT INTO signing_keys(" + std::string(kSigningKeyColumns) + ") VALUES(?,?,?,?,?)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, key.kid);
  insert->BindBlob(2, key.secret);
  insert->Bind(3, int64_t{key.created_at});
  insert->Bind(4, key.retired_at);
  insert->Bind(5, key.revoked_at);
  Status st = insert->Run();
  if (st.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("signing key " + key.kid + " exists");
  }
  return st;
}

Result<std::vector<SigningKeyRecord>> SqliteStore::ListSigningKeys() {
  std::lock_guard lock(reader_mu_);
  Result<SqliteStatement> list = reader_->Prepare("SELECT " + std::string(kSigningKeyColumns) +
                                                  " FROM signing_keys ORDER BY created_at, kid");
  if (!list.ok()) return list.status();
  std::vector<SigningKeyRecord> keys;
  while (true) {
    Result<bool> row = list->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    SigningKeyRecord k;
    k.kid = list->Text(0);
    k.secret = list->Blob(1);
    k.created_at = list->Int64(2);
    k.retired_at = list->OptInt64(3);
    k.revoked_at = list->OptInt64(4);
    keys.push_back(std::move(k));
  }
  return keys;
}

Status SqliteStore::RetireSigningKey(std::string_view kid, UnixMicros at) {
  std::lock_guard lock(admin_mu_);
  // COALESCE keeps the first time when retired twice; a revoked key is not retired.
  Result<SqliteStatement> retire = admin_->Prepare(
      "UPDATE signing_keys SET retired_at = COALESCE(retired_at, ?) "
      "WHERE kid = ? AND revoked_at IS NULL");
  if (!retire.ok()) return retire.status();
  retire->Bind(1, int64_t{at});
  retire->Bind(2, kid);
  THRAD_RETURN_IF_ERROR(retire->Run());
  if (admin_->Changes() != 0) return Status::Ok();
  Result<bool> exists = SigningKeyExists(*admin_, kid);
  if (!exists.ok()) return exists.status();
  if (*exists) {
    return Status::InvalidArgument("signing key " + std::string(kid) + " is revoked");
  }
  return Status::NotFound("no signing key " + std::string(kid));
}

Status SqliteStore::RevokeSigningKey(std::string_view kid, UnixMicros at) {
  std::lock_guard lock(admin_mu_);
  Result<SqliteStatement> revoke =
      admin_->Prepare("UPDATE signing_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE kid = ?");
  if (!revoke.ok()) return revoke.status();
  revoke->Bind(1, int64_t{at});
  revoke->Bind(2, kid);
  THRAD_RETURN_IF_ERROR(revoke->Run());
  if (admin_->Changes() == 0) return Status::NotFound("no signing key " + std::string(kid));
  return Status::Ok();
}

}  // namespace thrad
