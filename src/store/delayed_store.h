#pragma once

#include <chrono>

#include "store/store.h"

namespace thrad {

// A deliberately slow disk, for overload tests (the hidden `serve --debug-commit-delay-ms`):
// sleeps `delay` before every CommitBatch and CheckWritable, then delegates. Every other
// method delegates at once. `inner` must outlive it. Thread-safety: as `inner`.
class DelayedStore final : public Store {
 public:
  DelayedStore(Store& inner, std::chrono::milliseconds delay) : inner_(inner), delay_(delay) {}

  Status Migrate() override;
  Status CommitBatch(std::span<WriteOp* const> ops) override;
  Status CheckWritable() override;
  bool CanDeferSync() const override { return inner_.CanDeferSync(); }
  Status CommitBatchUnsynced(std::span<WriteOp* const> ops) override;
  Status SyncCommitted() override { return inner_.SyncCommitted(); }
  CopyStats CopyCounters() const override { return inner_.CopyCounters(); }
  Status InsertKey(const KeyRecord& key) override;
  Result<std::optional<KeyRecord>> FindKeyByDigest(std::string_view digest) override;
  Result<std::vector<KeyRecord>> ListKeys(std::optional<std::string> partner_id) override;
  Status RevokeKey(std::string_view key_id, UnixMicros at) override;
  Status TouchKeys(const std::vector<std::pair<std::string, UnixMicros>>& last_used) override;
  Status UpdateKeyLimits(std::string_view key_id, std::optional<double> rate_limit_rps,
                         std::optional<int64_t> rate_limit_burst) override;
  Result<uint64_t> DeleteOlderThan(Table table, UnixMicros cutoff, size_t max_rows) override;
  Status Backup(const std::string& dest_path) override;
  Status InsertClick(const ClickRecord& click) override;
  Status ExportEvents(const ExportFilter& filter,
                      const std::function<Status(const std::string&)>& row) override;
  Status ExportConversions(const ExportFilter& filter,
                           const std::function<Status(const std::string&)>& row) override;

 private:
  Store& inner_;
  const std::chrono::milliseconds delay_;
};

}  // namespace thrad
