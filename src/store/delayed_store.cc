#include "store/delayed_store.h"

#include <thread>

namespace thrad {

Status DelayedStore::Migrate() { return inner_.Migrate(); }

Status DelayedStore::CommitBatch(std::span<WriteOp* const> ops) {
  std::this_thread::sleep_for(delay_);
  return inner_.CommitBatch(ops);
}

Status DelayedStore::CommitBatchUnsynced(std::span<WriteOp* const> ops) {
  std::this_thread::sleep_for(delay_);
  return inner_.CommitBatchUnsynced(ops);
}

Status DelayedStore::CheckWritable() {
  std::this_thread::sleep_for(delay_);
  return inner_.CheckWritable();
}

Status DelayedStore::InsertKey(const KeyRecord& key) { return inner_.InsertKey(key); }

Result<std::optional<KeyRecord>> DelayedStore::FindKeyByDigest(std::string_view digest) {
  return inner_.FindKeyByDigest(digest);
}

Result<std::vector<KeyRecord>> DelayedStore::ListKeys(std::optional<std::string> partner_id) {
  return inner_.ListKeys(std::move(partner_id));
}

Status DelayedStore::RevokeKey(std::string_view key_id, UnixMicros at) {
  return inner_.RevokeKey(key_id, at);
}

Status DelayedStore::TouchKeys(const std::vector<std::pair<std::string, UnixMicros>>& last_used) {
  return inner_.TouchKeys(last_used);
}

Status DelayedStore::UpdateKeyLimits(std::string_view key_id, std::optional<double> rate_limit_rps,
                                     std::optional<int64_t> rate_limit_burst) {
  return inner_.UpdateKeyLimits(key_id, rate_limit_rps, rate_limit_burst);
}

Result<uint64_t> DelayedStore::DeleteOlderThan(Table table, UnixMicros cutoff, size_t max_rows) {
  return inner_.DeleteOlderThan(table, cutoff, max_rows);
}

Status DelayedStore::Backup(const std::string& dest_path) { return inner_.Backup(dest_path); }

Status DelayedStore::InsertClick(const ClickRecord& click) { return inner_.InsertClick(click); }

Status DelayedStore::ExportEvents(const ExportFilter& filter,
                                  const std::function<Status(const std::string&)>& row) {
  return inner_.ExportEvents(filter, row);
}

Status DelayedStore::ExportConversions(const ExportFilter& filter,
                                       const std::function<Status(const std::string&)>& row) {
  return inner_.ExportConversions(filter, row);
}

}  // namespace thrad
