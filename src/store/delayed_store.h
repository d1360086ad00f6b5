#pragma once

#include <chrono>

#include "store/write_store.h"

namespace thrad {

// A deliberately slow disk, for overload tests (the hidden `serve --debug-commit-delay-ms`):
// sleeps `delay` before every CommitBatch, CommitBatchUnsynced and CheckWritable, then
// delegates; the rest of the write role delegates at once. Only the writer sees it: every
// other role is the inner store's, undelayed. `inner` must outlive it. Thread-safety: as
// `inner`.
class DelayedStore final : public WriteStore {
 public:
  DelayedStore(WriteStore& inner, std::chrono::milliseconds delay) : inner_(inner), delay_(delay) {}

  Status CommitBatch(std::span<WriteOp* const> ops) override;
  Status CheckWritable() override;
  bool CanDeferSync() const override { return inner_.CanDeferSync(); }
  Status CommitBatchUnsynced(std::span<WriteOp* const> ops) override;
  Status SyncCommitted() override { return inner_.SyncCommitted(); }
  CopyStats CopyCounters() const override { return inner_.CopyCounters(); }

 private:
  WriteStore& inner_;
  const std::chrono::milliseconds delay_;
};

}  // namespace thrad
