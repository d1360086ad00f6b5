#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "http/refusal_aggregator.h"
#include "store/group_commit_writer.h"

namespace thrad {

// Moves the aggregator's refusals to the store (REPORTS.md section 5): about every `every`, all
// that gathered becomes ONE write op (a RefusalWrite) through the group commit, never more
// than one at a time. A write that the writer refuses (queue full) or that does not commit is
// given back to the aggregator and goes with the next flush, so no count is ever lost.
//
// Thread-safety: Start and Stop from the owning thread; the rest runs on the flusher's thread
// and the writer's.
class RefusalFlusher {
 public:
  RefusalFlusher(RefusalAggregator& refusals, GroupCommitWriter& writer, const Clock& clock,
                 std::chrono::milliseconds every = std::chrono::milliseconds(1000));
  ~RefusalFlusher();  // calls Stop()

  RefusalFlusher(const RefusalFlusher&) = delete;
  RefusalFlusher& operator=(const RefusalFlusher&) = delete;

  void Start();
  // Stops the thread after one last flush that it waits for (the writer must still run). A
  // last flush the writer cannot take is retried for at most about `every` * 5.
  void Stop();

  // Submits what gathered unless a flush is still in flight; waits for it when `wait`. Returns
  // whether everything gathered before the call was committed (when `wait`).
  bool FlushOnce(bool wait);

 private:
  void Run();

  RefusalAggregator& refusals_;
  GroupCommitWriter& writer_;
  const Clock& clock_;
  const std::chrono::milliseconds every_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;               // guarded by mu_
  std::unique_ptr<WriteOp> in_flight_;  // guarded by mu_; null when none
  bool last_ok_ = true;                 // guarded by mu_: the last op's commit
  std::thread thread_;
};

}  // namespace thrad
