#include "store/delayed_store.h"

#include <thread>

namespace thrad {

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

}  // namespace thrad
