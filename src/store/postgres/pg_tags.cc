// PostgresStore: browser tags (rare writes on the admin connection, reads on the reader).
#include <string>
#include <utility>
#include <vector>

#include "store/postgres/pg_store.h"
#include "store/postgres/pg_text.h"
#include "store/tag_columns.h"

namespace thrad {
namespace {

constexpr std::string_view kTagColumns =
    "tag_id, partner_id, origins, created_at, updated_at, removed_at";

Result<std::vector<TagRecord>> ReadTags(const PgResult& r) {
  std::vector<TagRecord> tags;
  tags.reserve(static_cast<size_t>(r.Rows()));
  for (int row = 0; row < r.Rows(); ++row) {
    TagRecord t;
    t.tag_id = r.Str(row, 0);
    t.partner_id = r.Str(row, 1);
    Result<std::vector<std::string>> origins = OriginsFromJson(r.Str(row, 2));
    if (!origins.ok())
      return Status::Corruption("tag " + t.tag_id + ": " + origins.status().message());
    t.origins = std::move(origins).value();
    t.created_at = r.Int64(row, 3);
    t.updated_at = r.Int64(row, 4);
    t.removed_at = r.OptInt64(row, 5);
    tags.push_back(std::move(t));
  }
  return tags;
}

}  // namespace

Status PostgresStore::InsertTag(const TagRecord& tag) {
  std::lock_guard lock(admin_mu_);
  Status st = Run(admin_, {"INSERT INTO tags(" + std::string(kTagColumns) +
                               ") VALUES($1, $2, $3, $4, $5, $6)",
                           {PgTextParam(tag.tag_id), PgTextParam(tag.partner_id),
                            PgTextParam(OriginsToJson(tag.origins)), std::to_string(tag.created_at),
                            std::to_string(tag.updated_at), PgIntParam(tag.removed_at)}})
                  .status();
  if (st.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("tag " + tag.tag_id + " exists");  // maybe another partner's
  }
  return st;
}

Result<std::vector<TagRecord>> PostgresStore::ListTags(std::optional<std::string> partner_id) {
  std::lock_guard lock(reader_mu_);
  // COLLATE "C": the same byte order as SQLite, whatever the database's collation.
  Result<PgResult> r = Run(reader_, {"SELECT " + std::string(kTagColumns) +
                                         " FROM tags WHERE $1::text IS NULL OR partner_id = $1"
                                         " ORDER BY created_at, tag_id COLLATE \"C\"",
                                     {PgTextParam(partner_id)}});
  if (!r.ok()) return r.status();
  return ReadTags(*r);
}

Status PostgresStore::UpdateTagOrigins(std::string_view tag_id,
                                       const std::vector<std::string>& origins, UnixMicros at) {
  std::lock_guard lock(admin_mu_);
  Result<PgResult> r =
      Run(admin_, {"UPDATE tags SET origins = $1, updated_at = $2 "
                   "WHERE tag_id = $3 AND removed_at IS NULL",
                   {PgTextParam(OriginsToJson(origins)), std::to_string(at), PgTextParam(tag_id)}});
  if (!r.ok()) return r.status();
  if (r->Affected() != 0) return Status::Ok();
  Result<PgResult> found =
      Run(admin_, {"SELECT 1 FROM tags WHERE tag_id = $1", {PgTextParam(tag_id)}});
  if (!found.ok()) return found.status();
  if (found->Rows() != 0)
    return Status::InvalidArgument("tag " + std::string(tag_id) + " is removed");
  return Status::NotFound("no tag " + std::string(tag_id));
}

Status PostgresStore::RemoveTag(std::string_view tag_id, UnixMicros at) {
  std::lock_guard lock(admin_mu_);
  // COALESCE keeps the first time when removed twice.
  Result<PgResult> r =
      Run(admin_, {"UPDATE tags SET removed_at = COALESCE(removed_at, $1) WHERE tag_id = $2",
                   {std::to_string(at), PgTextParam(tag_id)}});
  if (!r.ok()) return r.status();
  if (r->Affected() == 0) return Status::NotFound("no tag " + std::string(tag_id));
  return Status::Ok();
}

Result<std::vector<TagRecord>> PostgresStore::ListActiveTags() {
  std::lock_guard lock(reader_mu_);
  Result<PgResult> r = Run(reader_, {"SELECT " + std::string(kTagColumns) +
                                     " FROM tags WHERE removed_at IS NULL"
                                     " ORDER BY tag_id COLLATE \"C\""});
  if (!r.ok()) return r.status();
  return ReadTags(*r);
}

}  // namespace thrad
