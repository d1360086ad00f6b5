// Test doubles for GroupCommitWriter tests: a WriteStore whose commits and syncs can be held,
// failed and observed (it tests the writer, not a database), and ops that count their
// completions.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/export_store.h"
#include "store/group_commit_writer.h"
#include "store/store_test_util.h"
#include "store/write_store.h"
#include "testing/status_matchers.h"

namespace thrad::test {

using namespace std::chrono_literals;

// The write role only, whose CommitBatch can be held on a gate and made to fail: it tests the
// writer, not SQLite. Only the commits, CheckWritable and (when CanDefer(true)) SyncCommitted
// matter.
class FakeWriteStore final : public WriteStore {
 public:
  Status CommitBatch(std::span<WriteOp* const> ops) override { return Commit(ops, true); }
  bool CanDeferSync() const override { return can_defer_; }
  Status CommitBatchUnsynced(std::span<WriteOp* const> ops) override { return Commit(ops, false); }
  // Covers every commit that returned before it, as an fdatasync of a WAL would.
  Status SyncCommitted() override {
    std::unique_lock lock(mu_);
    const int covers = commits_;
    ++syncs_entered_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !sync_blocked_; });
    if (sync_fail_) return Status::IoError("fdatasync: Input/output error");
    synced_ = std::max(synced_, covers);
    return Status::Ok();
  }
  Status CheckWritable() override {
    probes_.fetch_add(1);
    std::lock_guard lock(mu_);
    return writable_ ? Status::Ok() : Status::IoError("still full");
  }

  void Block() {
    Set([this] { blocked_ = true; });
  }
  void Release() {
    Set([this] { blocked_ = false; });
  }
  void Fail(bool fail) {
    Set([&] { fail_ = fail; });
  }
  void Writable(bool writable) {
    Set([&] { writable_ = writable; });
  }
  void CanDefer(bool can) {
    Set([&] { can_defer_ = can; });
  }
  void BlockSync() {
    Set([this] { sync_blocked_ = true; });
  }
  void ReleaseSync() {
    Set([this] { sync_blocked_ = false; });
  }
  void FailSync(bool fail) {
    Set([&] { sync_fail_ = fail; });
  }
  // Waits until SyncCommitted has been entered `n` times in all.
  void WaitSyncEntered(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return syncs_entered_ >= n; });
  }
  // Waits until `n` commits have returned ok.
  void WaitCommitted(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return commits_ >= n; });
  }
  // True when `op`'s commit returned ok and was durable: synced in it, or by a sync that
  // began after it and returned ok.
  bool Durable(const WriteOp* op) {
    std::lock_guard lock(mu_);
    auto it = commit_of_.find(op);
    return it != commit_of_.end() && (it->second.synced || it->second.number <= synced_);
  }
  int unsynced_commits() {
    std::lock_guard lock(mu_);
    return unsynced_commits_;
  }
  // Waits until CommitBatch has been entered `n` times in all.
  void WaitEntered(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }
  std::vector<size_t> BatchSizes() {
    std::lock_guard lock(mu_);
    return batch_sizes_;
  }
  int probes() const { return probes_.load(); }

 private:
  Status Commit(std::span<WriteOp* const> ops, bool synced) {
    std::unique_lock lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !blocked_; });
    batch_sizes_.push_back(ops.size());
    for (WriteOp* op : ops) op->status = Status::Ok();  // a store that forgets to fail ops
    if (fail_) return Status::IoError("disk full");
    ++commits_;
    if (!synced) ++unsynced_commits_;
    for (WriteOp* op : ops) commit_of_[op] = CommitOf{commits_, synced};
    cv_.notify_all();
    return Status::Ok();
  }

  template <typename F>
  void Set(F f) {
    std::lock_guard lock(mu_);
    f();
    cv_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  bool fail_ = false;
  bool writable_ = true;
  bool can_defer_ = false;
  bool sync_blocked_ = false;
  bool sync_fail_ = false;
  int entered_ = 0;
  int commits_ = 0;           // commits that returned ok
  int unsynced_commits_ = 0;  // of which CommitBatchUnsynced
  int syncs_entered_ = 0;
  int synced_ = 0;  // commits covered by a successful sync
  struct CommitOf {
    int number;
    bool synced;  // CommitBatch: durable when it returned
  };
  std::map<const WriteOp*, CommitOf> commit_of_;
  std::vector<size_t> batch_sizes_;
  std::atomic<int> probes_{0};
};

// Ops that count their completions.
struct Ops {
  explicit Ops(size_t n) : done(static_cast<std::ptrdiff_t>(n)), ops(n) {
    for (size_t i = 0; i < n; ++i) {
      ops[i].payload = EventWrite{{Event("p1", "site:a", "e" + std::to_string(i))}, {}};
      ops[i].on_done = [this] {
        completed.fetch_add(1);
        done.count_down();
      };
    }
  }
  std::latch done;
  std::atomic<int> completed{0};
  std::vector<WriteOp> ops;
};

// `threads` threads each submit `per_thread` one-event ops (partner "p<t>") to `writer`
// and wait for their completions; returns the ops, per thread.
inline std::vector<std::unique_ptr<Ops>> SubmitFromThreads(GroupCommitWriter& writer, int threads,
                                                           int per_thread) {
  std::vector<std::unique_ptr<Ops>> ops;
  for (int t = 0; t < threads; ++t) {
    ops.push_back(std::make_unique<Ops>(static_cast<size_t>(per_thread)));
    for (auto& op : ops.back()->ops) {
      std::get<EventWrite>(op.payload).events[0].partner_id = "p" + std::to_string(t);
    }
  }
  std::vector<std::thread> submitters;
  for (int t = 0; t < threads; ++t) {
    submitters.emplace_back([&, t] {
      for (auto& op : ops[t]->ops) EXPECT_OK(writer.Submit(&op));
      ops[t]->done.wait();
    });
  }
  for (auto& th : submitters) th.join();
  return ops;
}

// The events rows `store` exports.
inline int CountEvents(ExportStore& store) {
  int rows = 0;
  Status st = store.ExportEvents({}, [&](const std::string&) {
    ++rows;
    return Status::Ok();
  });
  EXPECT_OK(st) << st.ToString();
  return rows;
}

inline GroupCommitOptions Options(size_t max_queue, size_t max_batch,
                                  std::chrono::milliseconds probe_interval = 1s) {
  GroupCommitOptions o;
  o.max_queue = max_queue;
  o.max_batch = max_batch;
  o.probe_interval = probe_interval;
  return o;
}

template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds limit = 5s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Ops of `rows` events each (a batch request's op), counting completions.
struct RowOps {
  RowOps(size_t n, size_t rows) : done(static_cast<std::ptrdiff_t>(n)), ops(n) {
    for (size_t i = 0; i < n; ++i) {
      EventWrite w;
      for (size_t r = 0; r < rows; ++r) {
        w.events.push_back(Event("p1", "site:a", std::to_string(i) + "-" + std::to_string(r)));
      }
      ops[i].payload = std::move(w);
      ops[i].on_done = [this] { done.count_down(); };
    }
  }
  std::latch done;
  std::vector<WriteOp> ops;
};

inline GroupCommitOptions RowOptions(size_t max_batch_rows, size_t max_queue_rows) {
  GroupCommitOptions o = Options(100, 100);
  o.max_batch_rows = max_batch_rows;
  o.max_queue_rows = max_queue_rows;
  return o;
}

}  // namespace thrad::test
