#pragma once

#include <cstdint>
#include <span>

#include "common/status.h"
#include "model/write_op.h"

namespace thrad {

// The write role: group commit's only dependency (GroupCommitWriter). Handlers never see SQL;
// they build write ops and the writer hands them to CommitBatch.
//
// Thread-safety: CommitBatch, CommitBatchUnsynced and CheckWritable are called only from the
// single writer thread; SyncCommitted from one thread at a time (the sync thread), concurrently
// with them; CopyCounters from any thread.
class WriteStore {
 public:
  virtual ~WriteStore() = default;

  // Writes every op of the batch in ONE transaction with one durable sync, deciding
  // duplicates and idempotency inside it, and fills each op's outcome(s). Returns non-ok
  // when the transaction did not commit: then nothing of the batch is stored.
  virtual Status CommitBatch(std::span<WriteOp* const> ops) = 0;

  // Pipelined durability, for a store whose sync is worth overlapping with the next
  // transaction (SQLite). CommitBatchUnsynced commits like CommitBatch but may return before
  // the transaction is durable: it is durable once a SyncCommitted that started after it
  // returned has returned ok. The writer uses it for large batches only, when CanDeferSync.
  // SyncCommitted is called from one thread at a time, concurrently with the commits; a
  // failure leaves the durability of those commits unknown (see GroupCommitWriter).
  virtual bool CanDeferSync() const { return false; }
  virtual Status CommitBatchUnsynced(std::span<WriteOp* const> ops) { return CommitBatch(ops); }
  virtual Status SyncCommitted() { return Status::Ok(); }

  // A store's bulk write path (PostgreSQL: COPY for batches of new events), for /metrics:
  // batches it wrote, and attempts that met a duplicate and were redone by the ordinary path.
  // Thread-safe; zero for a store without one.
  struct CopyStats {
    uint64_t copies = 0;
    uint64_t conflicts = 0;
  };
  virtual CopyStats CopyCounters() const { return {}; }

  // True when a trivial write transaction can commit now (for /readyz).
  virtual Status CheckWritable() = 0;
};

}  // namespace thrad
