#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/report_store.h"

namespace thrad {

// Runs ReportStore::FoldPendingRollups about every `every` on a thread of its own, so pending
// rollup counters (PostgreSQL) move into the rollups off the write path; at once again while a
// fold moved a whole batch (a backlog). A failed fold (the database unreachable) is logged once
// per failure streak and tried again at the next tick: nothing is lost, since pending rows stay
// until a fold commits, and reads count them meanwhile.
//
// Thread-safety: Start and Stop from the owning thread.
class RollupFolder {
 public:
  explicit RollupFolder(ReportStore& store,
                        std::chrono::milliseconds every = std::chrono::milliseconds(1000));
  ~RollupFolder();  // calls Stop()

  RollupFolder(const RollupFolder&) = delete;
  RollupFolder& operator=(const RollupFolder&) = delete;

  void Start();
  // Stops the thread after its current fold. The pending rows left are folded by the next
  // server to run (or by any other server sharing the database).
  void Stop();

 private:
  void Run();

  ReportStore& store_;
  const std::chrono::milliseconds every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace thrad
