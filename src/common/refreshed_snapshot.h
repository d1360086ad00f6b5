#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>

#include "common/clock.h"
#include "common/status.h"

namespace thrad {

// An immutable snapshot of a small store table that every request consults (signing keys,
// browser tags), re-read when older than `refresh` so that a change made by any process
// reaches every server within a bounded time.
//
// Contract:
// - Current() returns the last snapshot while it is younger than `refresh`; otherwise it calls
//   `load` (outside the lock: a slow store delays only that caller) and keeps its result.
// - While one caller loads, the others get the last snapshot.
// - A failed load keeps the last snapshot (requests go on through a store outage) and is
//   retried `refresh` later; before any successful load its error is returned.
// - A clock that steps back counts as stale.
//
// Thread-safety: Current() may be called from any thread; snapshots are shared immutable.
template <typename Snapshot>
class RefreshedSnapshot {
 public:
  using Loader = std::function<Result<std::shared_ptr<const Snapshot>>()>;

  RefreshedSnapshot(const Clock& clock, std::chrono::milliseconds refresh, Loader load)
      : clock_(clock),
        refresh_micros_(std::chrono::duration_cast<std::chrono::microseconds>(refresh).count()),
        load_(std::move(load)) {}

  RefreshedSnapshot(const RefreshedSnapshot&) = delete;
  RefreshedSnapshot& operator=(const RefreshedSnapshot&) = delete;

  Result<std::shared_ptr<const Snapshot>> Current() {
    const int64_t now = clock_.NowMicros();
    {
      std::lock_guard lock(mu_);
      const bool fresh = now - fetched_at_ < refresh_micros_ && now >= fetched_at_;
      if (snapshot_ && (fresh || refreshing_)) return snapshot_;
      refreshing_ = true;
    }
    Result<std::shared_ptr<const Snapshot>> loaded = load_();
    std::lock_guard lock(mu_);
    refreshing_ = false;
    fetched_at_ = now;  // after a failure too: the next try waits `refresh`
    if (!loaded.ok()) {
      if (snapshot_) return snapshot_;
      return loaded.status();
    }
    snapshot_ = std::move(loaded).value();
    return snapshot_;
  }

 private:
  const Clock& clock_;
  const int64_t refresh_micros_;
  const Loader load_;

  std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // guarded by mu_
  int64_t fetched_at_ = 0;                    // unix µs; guarded by mu_
  bool refreshing_ = false;                   // a caller is loading; guarded by mu_
};

}  // namespace thrad
