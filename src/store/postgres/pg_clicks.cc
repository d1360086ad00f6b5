// PostgresStore: clicks and signing keys (rare writes on the admin connection, look-ups on the
// reader connection).
#include <string>
#include <utility>
#include <vector>

#include "common/hex.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_text.h"
#include "store/record_columns.h"

namespace thrad {
namespace {

std::optional<std::string> ColumnParam(const std::string& v) { return PgTextParam(v); }
std::optional<std::string> ColumnParam(const std::optional<std::string>& v) {
  return PgTextParam(v);
}
std::optional<std::string> ColumnParam(int64_t v) { return std::to_string(v); }
std::optional<std::string> ColumnParam(const std::optional<int64_t>& v) { return PgIntParam(v); }
std::optional<std::string> ColumnParam(const std::optional<double>& v) {
  PgArray one;  // the same text as the batch write's float8[] elements
  one.Add(v);
  std::string text = std::move(one).Finish();
  if (text == "{NULL}") return std::nullopt;
  return text.substr(1, text.size() - 2);
}
std::optional<std::string> ColumnParam(const std::optional<bool>& v) {
  if (!v) return std::nullopt;
  return *v ? "true" : "false";
}

// "INSERT INTO clicks(<columns>) VALUES($1, ...)": every column of ColumnNames<ClickRecord>().
const std::string& InsertClickSql() {
  static const auto* const kSql = [] {
    std::string values;
    for (int i = 1; i <= ColumnCount<ClickRecord>(); ++i) {
      values += (i == 1 ? "$" : ", $") + std::to_string(i);
    }
    return new std::string("INSERT INTO clicks(" + ColumnNames<ClickRecord>() + ") VALUES(" +
                           values + ")");
  }();
  return *kSql;
}

// The click's columns, then how many conversions name it (the prefix (partner_id, click_id) of
// their unique key finds them).
const std::string& FindClickSql() {
  static const auto* const kSql = new std::string(
      "SELECT " + ColumnNames<ClickRecord>() +
      ", (SELECT count(*) FROM conversions v WHERE v.partner_id = c.partner_id "
      "AND v.click_id = c.click_id) FROM clicks c WHERE c.partner_id = $1 AND c.click_id = $2");
  return *kSql;
}

// The secret travels as hex both ways, whatever the server's bytea_output.
constexpr std::string_view kSigningKeyColumns =
    "kid, encode(secret, 'hex'), created_at, retired_at, revoked_at";

}  // namespace

Status PostgresStore::InsertClick(const ClickRecord& click) {
  std::vector<std::optional<std::string>> params;
  ForEachColumn(click, [&params](std::string_view, const auto& value) {
    params.push_back(ColumnParam(value));
  });
  std::lock_guard lock(admin_mu_);
  Status st = Run(admin_, {InsertClickSql(), std::move(params)}).status();
  if (st.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("click " + click.click_id + " exists for partner " +
                                 click.partner_id);
  }
  return st;
}

Result<std::optional<ClickLookup>> PostgresStore::FindClick(std::string_view partner_id,
                                                            std::string_view click_id) {
  std::lock_guard lock(reader_mu_);
  Result<PgResult> r =
      Run(reader_, {FindClickSql(), {PgTextParam(partner_id), PgTextParam(click_id)}});
  if (!r.ok()) return r.status();
  if (r->Rows() == 0) return std::optional<ClickLookup>();
  ClickLookup lookup;
  lookup.click = ReadClickColumns(PgRow(*r, 0));
  lookup.conversions = static_cast<uint64_t>(r->Int64(0, ColumnCount<ClickRecord>()));
  return std::optional<ClickLookup>(std::move(lookup));
}

Status PostgresStore::InsertSigningKey(const SigningKeyRecord& key) {
  const unsigned char* secret = reinterpret_cast<const unsigned char*>(key.secret.data());
  std::lock_guard lock(admin_mu_);
  Status st = Run(admin_, {"INSERT INTO signing_keys(kid, secret, created_at, retired_at, "
                           "revoked_at) VALUES($1, decode($2, 'hex'), $3, $4, $5)",
                           {PgTextParam(key.kid), HexEncode(secret, key.secret.size()),
                            std::to_string(key.created_at), PgIntParam(key.retired_at),
                            PgIntParam(key.revoked_at)}})
                  .status();
  if (st.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("signing key " + key.kid + " exists");
  }
  return st;
}

Result<std::vector<SigningKeyRecord>> PostgresStore::ListSigningKeys() {
  std::lock_guard lock(reader_mu_);
  Result<PgResult> r = Run(reader_, {"SELECT " + std::string(kSigningKeyColumns) +
                                     " FROM signing_keys ORDER BY created_at, kid"});
  if (!r.ok()) return r.status();
  std::vector<SigningKeyRecord> keys;
  keys.reserve(static_cast<size_t>(r->Rows()));
  for (int row = 0; row < r->Rows(); ++row) {
    std::optional<std::string> secret = HexDecode(r->Text(row, 1));
    if (!secret) return Status::Corruption("signing key " + r->Str(row, 0) + ": unreadable secret");
    SigningKeyRecord k;
    k.kid = r->Str(row, 0);
    k.secret = std::move(*secret);
    k.created_at = r->Int64(row, 2);
    k.retired_at = r->OptInt64(row, 3);
    k.revoked_at = r->OptInt64(row, 4);
    keys.push_back(std::move(k));
  }
  return keys;
}

Status PostgresStore::RetireSigningKey(std::string_view kid, UnixMicros at) {
  std::lock_guard lock(admin_mu_);
  // COALESCE keeps the first time when retired twice; a revoked key is not retired.
  Result<PgResult> r = Run(admin_, {"UPDATE signing_keys SET retired_at = COALESCE(retired_at, $1) "
                                    "WHERE kid = $2 AND revoked_at IS NULL",
                                    {std::to_string(at), PgTextParam(kid)}});
  if (!r.ok()) return r.status();
  if (r->Affected() != 0) return Status::Ok();
  Result<PgResult> found =
      Run(admin_, {"SELECT 1 FROM signing_keys WHERE kid = $1", {PgTextParam(kid)}});
  if (!found.ok()) return found.status();
  if (found->Rows() != 0) {
    return Status::InvalidArgument("signing key " + std::string(kid) + " is revoked");
  }
  return Status::NotFound("no signing key " + std::string(kid));
}

Status PostgresStore::RevokeSigningKey(std::string_view kid, UnixMicros at) {
  std::lock_guard lock(admin_mu_);
  Result<PgResult> r =
      Run(admin_, {"UPDATE signing_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE kid = $2",
                   {std::to_string(at), PgTextParam(kid)}});
  if (!r.ok()) return r.status();
  if (r->Affected() == 0) return Status::NotFound("no signing key " + std::string(kid));
  return Status::Ok();
}

}  // namespace thrad
