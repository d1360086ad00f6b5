#include "store/group_commit_writer.h"

#include <pthread.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

namespace thrad {

using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kSyncFailed =
    "a sync of the store failed earlier, so its durability is unknown: restart the server";

}  // namespace

GroupCommitWriter::GroupCommitWriter(WriteStore& store, GroupCommitOptions options)
    : store_(store), options_(options) {}

GroupCommitWriter::~GroupCommitWriter() { Stop(); }

void GroupCommitWriter::Start() {
  std::lock_guard lock(mu_);
  if (stopping_ || thread_.joinable()) return;
  // The sync thread first: the writer reads sync_thread_ from its first batch on.
  if (store_.CanDeferSync()) {
    sync_thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "thrad-sync");
      RunSync();
    });
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "thrad-writer");  // for top -H, perf and /proc
    Run();
  });
}

Status GroupCommitWriter::Submit(WriteOp* op) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::Unavailable("writer is stopped");
    if (sync_failed_.load(std::memory_order_relaxed)) {
      return Status::Unavailable(std::string(kSyncFailed));
    }
    const size_t rows = op->rows();
    if (SaturatedLocked(rows)) {
      rejected_full_.fetch_add(1, std::memory_order_relaxed);
      return Status::Unavailable("write queue is full");
    }
    queue_.push_back(op);
    queued_rows_ += rows;
  }
  cv_.notify_one();
  return Status::Ok();
}

bool GroupCommitWriter::SaturatedLocked(size_t rows) const {
  // Committed ops still waiting for their sync count too: a slow sync must not let the
  // writer take in work without bound.
  const size_t ops = queue_.size() + unsynced_ops_;
  return ops >= options_.max_queue ||
         (ops > 0 && queued_rows_ + unsynced_rows_ + rows > options_.max_queue_rows);
}

bool GroupCommitWriter::Saturated() const {
  std::lock_guard lock(mu_);
  return SaturatedLocked(1);
}

void GroupCommitWriter::Stop() {
  std::call_once(stop_once_, [this] {
    bool started;
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      started = thread_.joinable();
    }
    cv_.notify_all();
    if (started) {
      thread_.join();
    } else {
      Run();  // never started: drain here so no queued op is left without on_done
    }
  });
}

WriterStats GroupCommitWriter::Stats() const {
  WriterStats s;
  s.commits = commits_.load(std::memory_order_relaxed);
  s.committed_ops = committed_ops_.load(std::memory_order_relaxed);
  s.failed_commits = failed_commits_.load(std::memory_order_relaxed);
  s.syncs = syncs_.load(std::memory_order_relaxed);
  s.rejected_full = rejected_full_.load(std::memory_order_relaxed);
  s.copy = store_.CopyCounters();
  std::lock_guard lock(mu_);
  s.queue_depth = queue_.size();
  return s;
}

void GroupCommitWriter::SetPeriodicTask(std::chrono::milliseconds every,
                                        std::function<void()> task) {
  periodic_every_ = every;
  periodic_task_ = std::move(task);
}

void GroupCommitWriter::Run() {
  const size_t max_batch = std::max<size_t>(options_.max_batch, 1);
  auto next_periodic = SteadyClock::now() + periodic_every_;
  auto next_probe = SteadyClock::now();
  std::vector<WriteOp*> batch;
  batch.reserve(std::min<size_t>(max_batch, 4096));
  size_t rows = 0;
  bool defer = false;
  while (true) {
    {
      std::unique_lock lock(mu_);
      auto ready = [this] { return stopping_ || !queue_.empty(); };
      auto deadline = SteadyClock::time_point::max();
      if (periodic_task_) deadline = std::min(deadline, next_periodic);
      if (!healthy()) deadline = std::min(deadline, next_probe);
      if (deadline == SteadyClock::time_point::max()) {
        cv_.wait(lock, ready);
      } else {
        cv_.wait_until(lock, deadline, ready);
      }
      if (stopping_ && queue_.empty()) break;
      size_t n = 0;
      rows = 0;
      while (n < queue_.size() && n < max_batch) {
        const size_t op_rows = queue_[n]->rows();
        if (n > 0 && rows + op_rows > options_.max_batch_rows) break;
        rows += op_rows;
        ++n;
      }
      batch.assign(queue_.begin(), queue_.begin() + n);
      queue_.erase(queue_.begin(), queue_.begin() + n);
      queued_rows_ -= rows;
      // A batch whose sync is deferred counts as unsynced from the moment it leaves the
      // queue, so Submit sees it all along.
      defer = n > 0 && sync_thread_.joinable() && rows >= options_.pipeline_min_rows;
      if (defer) {
        unsynced_ops_ += n;
        unsynced_rows_ += rows;
      }
    }
    auto now = SteadyClock::now();
    if (periodic_task_ && now >= next_periodic) {
      periodic_task_();
      next_periodic = now + periodic_every_;
    }
    if (!batch.empty()) {
      // A commit attempt is itself a probe; after a failure wait a full interval.
      if (!CommitAndComplete(batch, defer, rows))
        next_probe = SteadyClock::now() + options_.probe_interval;
    } else if (!healthy() && now >= next_probe) {
      if (store_.CheckWritable().ok() && !sync_failed_.load(std::memory_order_relaxed)) {
        SetHealthy(true);
      }
      next_probe = SteadyClock::now() + options_.probe_interval;
    }
  }
  if (periodic_task_) periodic_task_();
  if (sync_thread_.joinable()) {
    {
      std::lock_guard lock(sync_mu_);
      writer_done_ = true;
    }
    sync_cv_.notify_one();
    sync_thread_.join();  // it syncs and completes every batch committed above first
  }
}

bool GroupCommitWriter::CommitAndComplete(std::vector<WriteOp*>& batch, bool defer, size_t rows) {
  const SteadyTime start = SteadyClock::now();
  Status st = sync_failed_.load(std::memory_order_relaxed)
                  ? Status::Unavailable(std::string(kSyncFailed))
              : defer ? store_.CommitBatchUnsynced(batch)
                      : store_.CommitBatch(batch);
  if (defer) {
    if (st.ok()) {  // the sync thread acknowledges the batch
      {
        std::lock_guard lock(sync_mu_);
        unsynced_.push_back(Unsynced{std::move(batch), rows, start});
      }
      sync_cv_.notify_one();
      batch.clear();
      return true;
    }
    std::lock_guard lock(mu_);
    unsynced_ops_ -= batch.size();
    unsynced_rows_ -= rows;
  }
  Complete(batch, st, start);
  return st.ok();
}

void GroupCommitWriter::RunSync() {
  std::vector<Unsynced> work;
  while (true) {
    {
      std::unique_lock lock(sync_mu_);
      sync_cv_.wait(lock, [this] { return writer_done_ || !unsynced_.empty(); });
      if (unsynced_.empty()) return;  // the writer is done and everything is synced
      work.swap(unsynced_);
    }
    // Once a sync has failed, a later one may succeed without having written what the
    // failed one lost: nothing is acknowledged any more.
    Status st = Status::Unavailable(std::string(kSyncFailed));
    if (!sync_failed_.load(std::memory_order_relaxed)) {
      st = store_.SyncCommitted();
      syncs_.fetch_add(1, std::memory_order_relaxed);
      if (!st.ok()) sync_failed_.store(true, std::memory_order_relaxed);
    }
    size_t ops = 0;
    size_t rows = 0;
    for (const Unsynced& u : work) {
      ops += u.ops.size();
      rows += u.rows;
    }
    {
      std::lock_guard lock(mu_);
      unsynced_ops_ -= ops;
      unsynced_rows_ -= rows;
    }
    for (Unsynced& u : work) Complete(u.ops, st, u.start);
    work.clear();
  }
}

void GroupCommitWriter::SetHealthy(bool ok) {
  healthy_.store(ok, std::memory_order_relaxed);
  if (health_ != nullptr) health_->Report(StoreHealth::Reporter::kWriter, ok);
}

void GroupCommitWriter::Complete(std::vector<WriteOp*>& batch, const Status& st, SteadyTime start) {
  const auto latency = SteadyClock::now() - start;
  if (st.ok()) {
    commits_.fetch_add(1, std::memory_order_relaxed);
    committed_ops_.fetch_add(batch.size(), std::memory_order_relaxed);
    if (!sync_failed_.load(std::memory_order_relaxed)) SetHealthy(true);
  } else {
    failed_commits_.fetch_add(1, std::memory_order_relaxed);
    SetHealthy(false);
    // Never leave an op of a failed batch looking ok, whatever the store filled in.
    for (WriteOp* op : batch)
      op->status = Status::Unavailable("write not committed: " + st.message());
  }
  if (observer_) observer_(batch.size(), latency, st.ok());
  for (WriteOp* op : batch) {
    // Moved out first: on_done may destroy the op (and with it the callback).
    std::function<void()> done = std::move(op->on_done);
    if (done) done();
  }
  batch.clear();
}

}  // namespace thrad
