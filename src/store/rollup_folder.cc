#include "store/rollup_folder.h"

#include <spdlog/spdlog.h>

namespace thrad {

RollupFolder::RollupFolder(ReportStore& store, std::chrono::milliseconds every)
    : store_(store), every_(every) {}

RollupFolder::~RollupFolder() { Stop(); }

void RollupFolder::Start() {
  thread_ = std::thread([this] { Run(); });
}

void RollupFolder::Run() {
  bool failing = false;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Result<ReportStore::RollupFold> moved = store_.FoldPendingRollups();
    if (!moved.ok() && !failing) {
      spdlog::warn("rollup folder: pending counters not folded yet (reports still count them): {}",
                   moved.status().ToString());
    } else if (moved.ok() && failing) {
      spdlog::info("rollup folder: folding again");
    }
    failing = !moved.ok();
    const bool backlog = moved.ok() && moved->more;  // fold the rest at once
    lock.lock();
    if (!backlog) cv_.wait_for(lock, every_, [this] { return stopping_; });
  }
}

void RollupFolder::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace thrad
