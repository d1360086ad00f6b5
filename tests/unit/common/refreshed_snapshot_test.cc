#include "common/refreshed_snapshot.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>

#include "common/clock.h"
#include "common/status.h"

namespace thrad {
namespace {

using Snap = RefreshedSnapshot<int>;
constexpr std::chrono::milliseconds kRefresh{2000};

// A loader that returns its call count as the snapshot, or fails when told to.
struct CountingLoader {
  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};
  Snap::Loader Fn() {
    return [this]() -> Result<std::shared_ptr<const int>> {
      const int n = ++calls;
      if (fail) return Status::Unavailable("store down");
      return std::make_shared<const int>(n);
    };
  }
};

TEST(RefreshedSnapshotTest, ReusesTheSnapshotForLessThanRefreshThenReloads) {
  ManualClock clock(1'000'000);
  CountingLoader loader;
  Snap snap(clock, kRefresh, loader.Fn());
  EXPECT_EQ(**snap.Current(), 1);
  clock.Advance(1'999'999);
  EXPECT_EQ(**snap.Current(), 1);
  EXPECT_EQ(loader.calls, 1);
  clock.Advance(1);
  EXPECT_EQ(**snap.Current(), 2);
}

TEST(RefreshedSnapshotTest, AFailureBeforeAnySnapshotIsReturnedAndRetriedAfterTheInterval) {
  ManualClock clock(1'000'000);
  CountingLoader loader;
  loader.fail = true;
  Snap snap(clock, kRefresh, loader.Fn());
  Result<std::shared_ptr<const int>> first = snap.Current();
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), StatusCode::kUnavailable);
  loader.fail = false;
  EXPECT_EQ(**snap.Current(), 2);  // no snapshot yet: the next caller loads at once
}

TEST(RefreshedSnapshotTest, AFailureKeepsTheLastSnapshotUntilTheNextInterval) {
  ManualClock clock(1'000'000);
  CountingLoader loader;
  Snap snap(clock, kRefresh, loader.Fn());
  EXPECT_EQ(**snap.Current(), 1);
  loader.fail = true;
  clock.Advance(2'000'000);
  EXPECT_EQ(**snap.Current(), 1);  // load 2 failed
  EXPECT_EQ(**snap.Current(), 1);  // and is not retried at once
  EXPECT_EQ(loader.calls, 2);
  loader.fail = false;
  clock.Advance(2'000'000);
  EXPECT_EQ(**snap.Current(), 3);
}

TEST(RefreshedSnapshotTest, AClockSteppingBackCountsAsStale) {
  ManualClock clock(10'000'000);
  CountingLoader loader;
  Snap snap(clock, kRefresh, loader.Fn());
  EXPECT_EQ(**snap.Current(), 1);
  clock.Set(9'000'000);
  EXPECT_EQ(**snap.Current(), 2);
}

TEST(RefreshedSnapshotTest, WhileOneCallerLoadsTheOthersGetTheLastSnapshot) {
  ManualClock clock(1'000'000);
  std::atomic<int> calls{0};
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  Snap snap(clock, kRefresh, [&]() -> Result<std::shared_ptr<const int>> {
    const int n = ++calls;
    if (n == 2) {
      entered.set_value();
      released.wait();
    }
    return std::make_shared<const int>(n);
  });
  EXPECT_EQ(**snap.Current(), 1);
  clock.Advance(2'000'000);
  std::future<int> slow = std::async(std::launch::async, [&] { return **snap.Current(); });
  entered.get_future().wait();
  EXPECT_EQ(**snap.Current(), 1);  // does not wait for, nor start, another load
  EXPECT_EQ(calls, 2);
  release.set_value();
  EXPECT_EQ(slow.get(), 2);
  EXPECT_EQ(**snap.Current(), 2);
}

}  // namespace
}  // namespace thrad
