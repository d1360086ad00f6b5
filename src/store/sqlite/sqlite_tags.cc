// SqliteStore: browser tags (rare writes on the admin connection, reads on the reader).
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/tag_columns.h"

namespace thrad {
namespace {

constexpr std::string_view kTagColumns =
    "tag_id, partner_id, origins, created_at, updated_at, removed_at";

// Every row of `list` (selecting kTagColumns) as tags.
Result<std::vector<TagRecord>> ReadTags(SqliteStatement& list) {
  std::vector<TagRecord> tags;
  while (true) {
    Result<bool> row = list.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    TagRecord t;
    t.tag_id = list.Text(0);
    t.partner_id = list.Text(1);
    Result<std::vector<std::string>> origins = OriginsFromJson(list.Text(2));
    if (!origins.ok())
      return Status::Corruption("tag " + t.tag_id + ": " + origins.status().message());
    t.origins = std::move(origins).value();
    t.created_at = list.Int64(3);
    t.updated_at = list.Int64(4);
    t.removed_at = list.OptInt64(5);
    tags.push_back(std::move(t));
  }
  return tags;
}

// Whether the tag `tag_id` exists (removed or not), read on `db`.
Result<bool> TagExists(SqliteDb& db, std::string_view tag_id) {
  Result<SqliteStatement> find = db.Prepare("SELECT 1 FROM tags WHERE tag_id = ?");
  if (!find.ok()) return find.status();
  find->Bind(1, tag_id);
  return find->Step();
}

}  // namespace

Status SqliteStore::InsertTag(const TagRecord& tag) {
  std::lock_guard lock(admin_mu_);
  Result<SqliteStatement> insert =
      admin_->Prepare("INSERT INTO tags(" + std::string(kTagColumns) + ") VALUES(?,?,?,?,?,?)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, tag.tag_id);
  insert->Bind(2, tag.partner_id);
  insert->Bind(3, OriginsToJson(tag.origins));
  insert->Bind(4, int64_t{tag.created_at});
  insert->Bind(5, int64_t{tag.updated_at});
  insert->Bind(6, tag.removed_at);
  Status st = insert->Run();
  if (st.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("tag " + tag.tag_id + " exists");  // maybe another partner's
  }
  return st;
}

Result<std::vector<TagRecord>> SqliteStore::ListTags(std::optional<std::string> partner_id) {
  std::lock_guard lock(reader_mu_);
  Result<SqliteStatement> list = reader_->Prepare(
      "SELECT " + std::string(kTagColumns) +
      " FROM tags WHERE ?1 IS NULL OR partner_id = ?1 ORDER BY created_at, tag_id");
  if (!list.ok()) return list.status();
  list->Bind(1, partner_id);
  return ReadTags(*list);
}

Status SqliteStore::UpdateTagOrigins(std::string_view tag_id,
                                     const std::vector<std::string>& origins, UnixMicros at) {
  std::lock_guard lock(admin_mu_);
  Result<SqliteStatement> update = admin_->Prepare(
      "UPDATE tags SET origins = ?, updated_at = ? WHERE tag_id = ? AND removed_at IS NULL");
  if (!update.ok()) return update.status();
  update->Bind(1, OriginsToJson(origins));
  update->Bind(2, int64_t{at});
  update->Bind(3, tag_id);
  THRAD_RETURN_IF_ERROR(update->Run());
  if (admin_->Changes() != 0) return Status::Ok();
  Result<bool> exists = TagExists(*admin_, tag_id);
  if (!exists.ok()) return exists.status();
  if (*exists) return Status::InvalidArgument("tag " + std::string(tag_id) + " is removed");
  return Status::NotFound("no tag " + std::string(tag_id));
}

Status SqliteStore::RemoveTag(std::string_view tag_id, UnixMicros at) {
  std::lock_guard lock(admin_mu_);
  // COALESCE keeps the first time when removed twice.
  Result<SqliteStatement> remove =
      admin_->Prepare("UPDATE tags SET removed_at = COALESCE(removed_at, ?) WHERE tag_id = ?");
  if (!remove.ok()) return remove.status();
  remove->Bind(1, int64_t{at});
  remove->Bind(2, tag_id);
  THRAD_RETURN_IF_ERROR(remove->Run());
  if (admin_->Changes() == 0) return Status::NotFound("no tag " + std::string(tag_id));
  return Status::Ok();
}

Result<std::vector<TagRecord>> SqliteStore::ListActiveTags() {
  std::lock_guard lock(reader_mu_);
  Result<SqliteStatement> list = reader_->Prepare(
      "SELECT " + std::string(kTagColumns) + " FROM tags WHERE removed_at IS NULL ORDER BY tag_id");
  if (!list.ok()) return list.status();
  return ReadTags(*list);
}

}  // namespace thrad
