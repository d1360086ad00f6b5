#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"
#include "model/write_op.h"
#include "store/store_health.h"
#include "store/write_store.h"

namespace thrad {

using SteadyTime = std::chrono::steady_clock::time_point;

struct GroupCommitOptions {
  // Bound on ops waiting for the writer; past it Submit refuses at once (503) so memory
  // stays flat under overload instead of growing.
  size_t max_queue = 16384;
  // Most ops one transaction takes; bounds commit latency and transaction size.
  size_t max_batch = 2048;
  // The same in rows (WriteOp::rows(): a batch request counts its events), so many large
  // batches arriving at once still commit in transactions of bounded size and latency. A
  // single op larger than this still commits, alone.
  size_t max_batch_rows = 20'000;
  // Bound on rows waiting for the writer, as max_queue is on ops: with 1,000-event batches,
  // max_queue alone would let queued records take gigabytes. Past it Submit refuses (503),
  // except into an empty queue.
  size_t max_queue_rows = 262'144;
  // While unhealthy, how often the idle writer probes WriteStore::CheckWritable: often enough
  // that /readyz recovers within seconds, rare enough not to hammer a failing disk.
  std::chrono::milliseconds probe_interval{1000};
  // Stores that can defer a commit's sync (WriteStore::CanDeferSync): a transaction of at least
  // this many rows is committed unsynced and synced on the sync thread while the writer goes
  // on with the next one; a smaller one syncs in its COMMIT, as with any other store.
  // Deferring small commits only makes them smaller still (the writer no longer waits for
  // the sync, so fewer ops gather per transaction), which costs more CPU per op than the
  // overlap saves: measured -5 % requests/s for single-event collects.
  size_t pipeline_min_rows = 256;
};

// Counters a test or /metrics can read. All monotonically increasing except queue_depth.
struct WriterStats {
  uint64_t commits = 0;         // transactions committed
  uint64_t committed_ops = 0;   // ops in committed transactions
  uint64_t failed_commits = 0;  // transactions that failed (their ops got 503)
  uint64_t syncs = 0;           // deferred syncs (WriteStore::SyncCommitted), each covering
                                // every transaction committed before it
  uint64_t rejected_full = 0;   // Submit refused because the queue was full
  WriteStore::CopyStats copy;   // the store's bulk write path (WriteStore::CopyCounters)
  uint64_t queue_depth = 0;     // ops waiting now
};

// One writer thread per store drains a bounded queue and commits everything waiting in one
// transaction with one sync (group commit), then completes every op of that batch.
//
// When the store can defer a commit's sync (WriteStore::CanDeferSync: SQLite), large batches are
// committed unsynced and a second thread does the syncing: while it makes transaction N
// durable, the writer already builds and commits N+1, and one sync covers every
// transaction committed before it began.
// No op is completed with an ok status before a sync that covers its transaction returned
// ok. A failed sync leaves the durability of those transactions unknown (after a failed
// fsync, Linux may report later ones as successful without writing the lost pages), so the
// writer then refuses every later write with Unavailable until the process restarts, as
// PostgreSQL does with its PANIC on a failed fsync.
//
// Thread-safety: Submit, Stats and Stop may be called from any thread.
class GroupCommitWriter {
 public:
  GroupCommitWriter(WriteStore& store, GroupCommitOptions options);
  ~GroupCommitWriter();  // calls Stop()

  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Starts the writer thread. Ops submitted before Start wait for it. Call at most once.
  void Start();

  // Queues `op`; the writer later fills it and calls op->on_done on the writer thread (on
  // the sync thread when its batch's sync was deferred).
  // The caller keeps `op` alive until on_done runs (on_done may free it). Returns
  // Unavailable (and never calls on_done) when the queue is full or the writer is stopped.
  // Whenever the batch holding `op` did not commit, op->status is non-ok.
  Status Submit(WriteOp* op);

  // Stops accepting, commits everything already queued, runs the periodic task one last
  // time, joins the thread. Idempotent; concurrent callers return once it is done. When
  // Start was never called, the queue is drained on the calling thread.
  void Stop();

  // True when Submit would refuse a one-row op now because the queue is full (ops waiting
  // for their deferred sync included). The one rule for "saturated": Submit's 503 and
  // /readyz both use it.
  bool Saturated() const;

  WriterStats Stats() const;
  const GroupCommitOptions& options() const { return options_; }

  // False from a failed commit until a later commit or probe succeeds. While unhealthy and
  // idle the writer probes the store (WriteStore::CheckWritable) every probe_interval (default
  // 1 s), so it recovers by itself (e.g. after disk space is freed). /readyz reads this.
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }

  // Also reports every change of healthy() to `health` (StoreHealth::Reporter::kWriter), which
  // must outlive the writer. Call before Start().
  void ReportHealthTo(StoreHealth* health) { health_ = health; }

  // Runs `task` on the writer thread between batches, about every `every` (e.g. flushing
  // keys' last_used_at), and once more when stopping. Call before Start().
  void SetPeriodicTask(std::chrono::milliseconds every, std::function<void()> task);

  // Histogram hooks: called after each commit attempt (after its sync, latency included,
  // when that was deferred), before the batch's on_done callbacks run, on the writer or
  // the sync thread. Call before Start().
  using CommitObserver =
      std::function<void(size_t batch_ops, std::chrono::nanoseconds latency, bool ok)>;
  void SetCommitObserver(CommitObserver observer) { observer_ = std::move(observer); }

 private:
  void Run();
  // Saturated() for an op of `rows` rows; requires mu_.
  bool SaturatedLocked(size_t rows) const;
  // Commits `batch` in one CommitBatch call, updates counters, completes every op.
  // Returns whether the batch committed.
  // `defer`: commit unsynced and leave the sync and the completions to the sync thread (the
  // batch, of `rows` rows, is already counted in unsynced_ops_/unsynced_rows_).
  bool CommitAndComplete(std::vector<WriteOp*>& batch, bool defer, size_t rows);
  // Sets counters, calls the observer and completes every op of a batch whose commit
  // attempt ended with `st` (its sync included, when deferred).
  void Complete(std::vector<WriteOp*>& batch, const Status& st, SteadyTime start);
  // The sync thread: takes every committed batch waiting, syncs once, completes them.
  void RunSync();
  // Sets healthy_ and reports it to health_.
  void SetHealthy(bool ok);

  WriteStore& store_;
  const GroupCommitOptions options_;
  CommitObserver observer_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WriteOp*> queue_;  // guarded by mu_
  size_t queued_rows_ = 0;      // sum of rows() over queue_; guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  std::thread thread_;
  std::once_flag stop_once_;

  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> committed_ops_{0};
  std::atomic<uint64_t> failed_commits_{0};
  std::atomic<uint64_t> rejected_full_{0};
  std::atomic<uint64_t> syncs_{0};
  std::atomic<bool> healthy_{true};
  StoreHealth* health_ = nullptr;  // not owned; null: nobody else is told
  // Set for good by a failed WriteStore::SyncCommitted: every later batch is refused.
  std::atomic<bool> sync_failed_{false};

  // Deferred syncs only. Batches committed and waiting for a sync, with their commit
  // start; their ops and rows still count against max_queue and max_queue_rows.
  struct Unsynced {
    std::vector<WriteOp*> ops;
    size_t rows;  // sum of ops' rows()
    SteadyTime start;
  };
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::vector<Unsynced> unsynced_;  // guarded by sync_mu_
  bool writer_done_ = false;        // guarded by sync_mu_
  size_t unsynced_ops_ = 0;         // ops in unsynced_ and being synced; guarded by mu_
  size_t unsynced_rows_ = 0;        // their rows(); guarded by mu_
  std::thread sync_thread_;         // joinable iff the store is pipelined and Start ran
  std::chrono::milliseconds periodic_every_{1000};
  std::function<void()> periodic_task_;
};

}  // namespace thrad
