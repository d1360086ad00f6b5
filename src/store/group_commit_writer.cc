#include "store/group_commit_writer.h"

#include <pthread.h>

#include <algorithm>
#include <utility>

namespace thrad {

using SteadyClock = std::chrono::steady_clock;

GroupCommitWriter::GroupCommitWriter(Store& store, GroupCommitOptions options)
    : store_(store), options_(options) {}

GroupCommitWriter::~GroupCommitWriter() { Stop(); }

void GroupCommitWriter::Start() {
  std::lock_guard lock(mu_);
  if (stopping_ || thread_.joinable()) return;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "thrad-writer");  // for top -H, perf and /proc
    Run();
  });
}

Status GroupCommitWriter::Submit(WriteOp* op) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::Unavailable("writer is stopped");
    const size_t rows = op->rows();
    if (queue_.size() >= options_.max_queue ||
        (!queue_.empty() && queued_rows_ + rows > options_.max_queue_rows)) {
      rejected_full_.fetch_add(1, std::memory_order_relaxed);
      return Status::Unavailable("write queue is full");
    }
    queue_.push_back(op);
    queued_rows_ += rows;
  }
  cv_.notify_one();
  return Status::Ok();
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
  s.rejected_full = rejected_full_.load(std::memory_order_relaxed);
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
      size_t rows = 0;
      while (n < queue_.size() && n < max_batch) {
        const size_t op_rows = queue_[n]->rows();
        if (n > 0 && rows + op_rows > options_.max_batch_rows) break;
        rows += op_rows;
        ++n;
      }
      batch.assign(queue_.begin(), queue_.begin() + n);
      queue_.erase(queue_.begin(), queue_.begin() + n);
      queued_rows_ -= rows;
    }
    auto now = SteadyClock::now();
    if (periodic_task_ && now >= next_periodic) {
      periodic_task_();
      next_periodic = now + periodic_every_;
    }
    if (!batch.empty()) {
      // A commit attempt is itself a probe; after a failure wait a full interval.
      if (!CommitAndComplete(batch)) next_probe = SteadyClock::now() + options_.probe_interval;
    } else if (!healthy() && now >= next_probe) {
      if (store_.CheckWritable().ok()) healthy_.store(true, std::memory_order_relaxed);
      next_probe = SteadyClock::now() + options_.probe_interval;
    }
  }
  if (periodic_task_) periodic_task_();
}

bool GroupCommitWriter::CommitAndComplete(std::vector<WriteOp*>& batch) {
  const auto start = SteadyClock::now();
  Status st = store_.CommitBatch(batch);
  const auto latency = SteadyClock::now() - start;
  if (st.ok()) {
    commits_.fetch_add(1, std::memory_order_relaxed);
    committed_ops_.fetch_add(batch.size(), std::memory_order_relaxed);
    healthy_.store(true, std::memory_order_relaxed);
  } else {
    failed_commits_.fetch_add(1, std::memory_order_relaxed);
    healthy_.store(false, std::memory_order_relaxed);
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
  return st.ok();
}

}  // namespace thrad
