#include "store/sqlite/sqlite_click_cache.h"

#include <utility>

namespace thrad {
namespace {

constexpr std::string_view kFindClick =
    "SELECT bid_id, campaign_id, clicked_at, tag_id FROM clicks WHERE partner_id = ? AND click_id "
    "= ?";

constexpr std::string_view kClickDeletions = "SELECT n FROM click_deletions WHERE id = 1";

}  // namespace

void SqliteClickCache::Begin() {
  deletions_checked_ = false;
  pending_.clear();
}

void SqliteClickCache::MakeKey(std::string_view partner_id, std::string_view click_id) {
  // A partner id never holds a NUL (validated ids are printable), so the pair is unambiguous.
  key_.assign(partner_id);
  key_.push_back('\0');
  key_.append(click_id);
}

Status SqliteClickCache::CheckDeletions(SqliteDb& db) {
  if (deletions_checked_) return Status::Ok();
  Result<SqliteStatement> read = db.Prepare(kClickDeletions);
  if (!read.ok()) return read.status();
  Result<bool> row = read->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("click_deletions has no row");
  const int64_t n = read->Int64(0);
  if (deletions_ != n) {
    cache_.Clear();
    deletions_ = n;
  }
  deletions_checked_ = true;
  return Status::Ok();
}

Result<std::optional<ConversionClick>> SqliteClickCache::Find(SqliteDb& db,
                                                              std::string_view partner_id,
                                                              std::string_view click_id) {
  THRAD_RETURN_IF_ERROR(CheckDeletions(db));
  MakeKey(partner_id, click_id);
  if (std::optional<ConversionClick> hit = cache_.Get(key_)) return hit;

  Result<SqliteStatement> find = db.Prepare(kFindClick);
  if (!find.ok()) return find.status();
  find->Bind(1, partner_id);
  find->Bind(2, click_id);
  Result<bool> row = find->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ConversionClick>();
  ConversionClick click;
  click.bid_id = find->OptText(0);
  click.campaign_id = find->OptText(1);
  click.clicked_at = find->Int64(2);
  click.tag_id = find->OptText(3);
  pending_.emplace_back(key_, click);
  return std::optional<ConversionClick>(std::move(click));
}

void SqliteClickCache::Committed() {
  for (auto& [key, click] : pending_) cache_.Put(key, std::move(click));
  pending_.clear();
}

}  // namespace thrad
