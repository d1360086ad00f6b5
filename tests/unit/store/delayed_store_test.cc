// DelayedStore: a slow disk in front of the write role, for overload tests.
#include "store/delayed_store.h"

#include <gtest/gtest.h>

#include <chrono>

#include "store/fake_write_store.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

using std::chrono::milliseconds;

milliseconds Elapsed(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - since);
}

TEST(DelayedStoreTest, DelaysCommitsAndProbesThenDelegates) {
  FakeWriteStore inner;
  DelayedStore slow(inner, milliseconds(30));
  Ops ops(1);
  WriteOp* batch[] = {&ops.ops[0]};

  auto start = std::chrono::steady_clock::now();
  ASSERT_OK(slow.CommitBatch(batch));
  EXPECT_GE(Elapsed(start), milliseconds(30));
  EXPECT_EQ(inner.BatchSizes(), std::vector<size_t>{1});

  start = std::chrono::steady_clock::now();
  ASSERT_OK(slow.CommitBatchUnsynced(batch));
  EXPECT_GE(Elapsed(start), milliseconds(30));
  EXPECT_EQ(inner.unsynced_commits(), 1);

  start = std::chrono::steady_clock::now();
  inner.Writable(false);
  EXPECT_FALSE(slow.CheckWritable().ok());
  EXPECT_GE(Elapsed(start), milliseconds(30));
  EXPECT_EQ(inner.probes(), 1);
}

TEST(DelayedStoreTest, SyncAndCountersAreTheInnerStores) {
  FakeWriteStore inner;
  DelayedStore slow(inner, milliseconds(1));
  EXPECT_FALSE(slow.CanDeferSync());
  inner.CanDefer(true);
  EXPECT_TRUE(slow.CanDeferSync());
  inner.FailSync(true);
  EXPECT_FALSE(slow.SyncCommitted().ok());
  EXPECT_EQ(slow.CopyCounters().copies, 0u);
}

}  // namespace
}  // namespace thrad::test
