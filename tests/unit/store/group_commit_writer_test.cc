#include "store/group_commit_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "store/fake_write_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

using namespace std::chrono_literals;

TEST(GroupCommitWriterTest, ConcurrentSubmittersAreGroupCommittedToSqlite) {
  TempDir dir;
  auto store = SqliteStore::Open(dir.File("w.db"));
  ASSERT_OK(store);
  ASSERT_OK((*store)->Migrate());
  GroupCommitWriter writer(**store, {});
  writer.Start();

  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  std::vector<std::unique_ptr<Ops>> per_thread = SubmitFromThreads(writer, kThreads, kPerThread);

  for (auto& ops : per_thread) {
    for (auto& op : ops->ops) {
      EXPECT_OK(op.status) << op.status.ToString();
      EXPECT_THAT(Outcomes(op), ::testing::ElementsAre(WriteOutcome::kStored));
    }
  }
  WriterStats stats = writer.Stats();
  EXPECT_EQ(stats.committed_ops, uint64_t{kThreads * kPerThread});
  EXPECT_LT(stats.commits, stats.committed_ops);  // group commit happened
  EXPECT_GE(stats.commits, 1u);
  EXPECT_EQ(stats.failed_commits, 0u);
  EXPECT_EQ(stats.queue_depth, 0u);
  EXPECT_TRUE(writer.healthy());

  EXPECT_EQ(CountEvents(**store), kThreads * kPerThread);
}

TEST(GroupCommitWriterTest, FullQueueRejectsAtOnce) {
  FakeWriteStore store;
  store.Block();
  GroupCommitWriter writer(store, Options(2, 1));
  writer.Start();
  Ops ops(4);
  ASSERT_OK(writer.Submit(&ops.ops[0]));
  store.WaitEntered(1);  // op 0 is being committed, the queue is empty
  ASSERT_OK(writer.Submit(&ops.ops[1]));
  ASSERT_OK(writer.Submit(&ops.ops[2]));
  Status full = writer.Submit(&ops.ops[3]);
  EXPECT_EQ(full.code(), StatusCode::kUnavailable);
  WriterStats stats = writer.Stats();
  EXPECT_EQ(stats.rejected_full, 1u);
  EXPECT_EQ(stats.queue_depth, 2u);

  store.Release();
  writer.Stop();
  EXPECT_EQ(ops.completed.load(), 3);  // the rejected op never completes
  EXPECT_EQ(writer.Stats().committed_ops, 3u);
  EXPECT_THAT(store.BatchSizes(), ::testing::ElementsAre(1u, 1u, 1u));
}

TEST(GroupCommitWriterTest, FailedCommitFailsEveryOpThenProbeRecovers) {
  FakeWriteStore store;
  store.Fail(true);
  store.Writable(false);
  GroupCommitWriter writer(store, Options(100, 100, 5ms));
  Ops ops(3);
  for (auto& op : ops.ops) ASSERT_OK(writer.Submit(&op));
  writer.Start();
  ops.done.wait();

  for (auto& op : ops.ops) EXPECT_EQ(op.status.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(writer.healthy());
  WriterStats stats = writer.Stats();
  EXPECT_EQ(stats.failed_commits, 1u);
  EXPECT_EQ(stats.commits, 0u);
  EXPECT_EQ(stats.committed_ops, 0u);

  EXPECT_TRUE(Eventually([&] { return store.probes() >= 2; }));
  EXPECT_FALSE(writer.healthy());  // probes keep failing
  store.Fail(false);
  store.Writable(true);
  EXPECT_TRUE(Eventually([&] { return writer.healthy(); }));

  Ops later(1);
  ASSERT_OK(writer.Submit(&later.ops[0]));
  later.done.wait();
  EXPECT_OK(later.ops[0].status);
  EXPECT_EQ(writer.Stats().commits, 1u);
}

TEST(GroupCommitWriterTest, SuccessfulCommitRestoresHealth) {
  FakeWriteStore store;
  store.Fail(true);
  store.Writable(false);  // probes never succeed: only a commit can heal
  GroupCommitWriter writer(store, Options(100, 100, 1h));
  writer.Start();
  Ops first(1);
  ASSERT_OK(writer.Submit(&first.ops[0]));
  first.done.wait();
  EXPECT_FALSE(writer.healthy());
  store.Fail(false);
  Ops second(1);
  ASSERT_OK(writer.Submit(&second.ops[0]));
  second.done.wait();
  EXPECT_TRUE(writer.healthy());
}

TEST(GroupCommitWriterTest, StopDrainsEverythingQueued) {
  FakeWriteStore store;
  store.Block();
  GroupCommitWriter writer(store, {});
  writer.Start();
  Ops ops(10);
  ASSERT_OK(writer.Submit(&ops.ops[0]));
  store.WaitEntered(1);
  for (size_t i = 1; i < ops.ops.size(); ++i) ASSERT_OK(writer.Submit(&ops.ops[i]));
  std::thread stopper([&] { writer.Stop(); });
  store.Release();
  stopper.join();

  EXPECT_EQ(ops.completed.load(), 10);
  EXPECT_THAT(store.BatchSizes(), ::testing::ElementsAre(1u, 9u));
  WriterStats stats = writer.Stats();
  EXPECT_EQ(stats.committed_ops, 10u);
  EXPECT_EQ(stats.commits, 2u);
  EXPECT_EQ(stats.queue_depth, 0u);
  Ops late(1);
  EXPECT_EQ(writer.Submit(&late.ops[0]).code(), StatusCode::kUnavailable);
  writer.Stop();  // idempotent
}

TEST(GroupCommitWriterTest, StopWithoutStartDrainsOnTheCaller) {
  FakeWriteStore store;
  GroupCommitWriter writer(store, Options(100, 4));
  Ops ops(10);
  for (auto& op : ops.ops) ASSERT_OK(writer.Submit(&op));
  std::vector<size_t> observed;
  writer.SetCommitObserver([&](size_t n, std::chrono::nanoseconds latency, bool ok) {
    EXPECT_TRUE(ok);
    EXPECT_GE(latency.count(), 0);
    observed.push_back(n);
  });
  writer.Stop();
  EXPECT_EQ(ops.completed.load(), 10);
  EXPECT_THAT(observed, ::testing::ElementsAre(4u, 4u, 2u));
  EXPECT_EQ(writer.Submit(&ops.ops[0]).code(), StatusCode::kUnavailable);
}

TEST(GroupCommitWriterTest, PeriodicTaskRunsOnTheWriterAndOnceMoreAtStop) {
  FakeWriteStore store;
  GroupCommitWriter writer(store, {});
  std::atomic<int> runs{0};
  writer.SetPeriodicTask(2ms, [&] { runs.fetch_add(1); });
  writer.Start();
  EXPECT_TRUE(Eventually([&] { return runs.load() >= 3; }));
  writer.Stop();
  int after_stop = runs.load();
  EXPECT_GE(after_stop, 4);
  std::this_thread::sleep_for(10ms);
  EXPECT_EQ(runs.load(), after_stop);
}

TEST(GroupCommitWriterTest, OnDoneMayFreeTheOp) {
  FakeWriteStore store;
  GroupCommitWriter writer(store, {});
  writer.Start();
  std::latch done(1);
  auto* op = new WriteOp();
  op->payload = EventWrite{{Event("p1", "t", "e")}, {}};
  op->on_done = [op, &done] {
    delete op;
    done.count_down();
  };
  ASSERT_OK(writer.Submit(op));
  done.wait();
}

}  // namespace
}  // namespace thrad::test

namespace thrad::test {
namespace {

TEST(GroupCommitWriterTest, TransactionsAreBoundedInRows) {
  FakeWriteStore store;
  store.Block();
  GroupCommitWriter writer(store, RowOptions(250, 10'000));
  writer.Start();
  RowOps first(1, 1);
  ASSERT_OK(writer.Submit(&first.ops[0]));
  store.WaitEntered(1);  // committing alone; the rest queues behind it
  RowOps big(3, 100);
  RowOps small(1, 1);
  for (auto& op : big.ops) ASSERT_OK(writer.Submit(&op));
  ASSERT_OK(writer.Submit(&small.ops[0]));
  store.Release();
  big.done.wait();
  small.done.wait();
  // 100 + 100 fit in 250 rows, a third 100 does not; the one-row op joins the last.
  EXPECT_THAT(store.BatchSizes(), ::testing::ElementsAre(1u, 2u, 2u));
}

TEST(GroupCommitWriterTest, AnOpLargerThanTheRowLimitCommitsAlone) {
  FakeWriteStore store;
  GroupCommitWriter writer(store, RowOptions(10, 10));
  writer.Start();
  RowOps huge(1, 50);
  ASSERT_OK(writer.Submit(&huge.ops[0]));  // an empty queue takes any op
  huge.done.wait();
  EXPECT_THAT(store.BatchSizes(), ::testing::ElementsAre(1u));
}

TEST(GroupCommitWriterTest, TheQueueIsBoundedInRows) {
  FakeWriteStore store;
  store.Block();
  GroupCommitWriter writer(store, RowOptions(10'000, 250));
  writer.Start();
  RowOps first(1, 1);
  ASSERT_OK(writer.Submit(&first.ops[0]));
  store.WaitEntered(1);
  RowOps big(3, 100);
  RowOps fits(1, 50);
  ASSERT_OK(writer.Submit(&big.ops[0]));
  ASSERT_OK(writer.Submit(&big.ops[1]));
  Status full = writer.Submit(&big.ops[2]);  // 300 rows > 250
  EXPECT_EQ(full.code(), StatusCode::kUnavailable);
  EXPECT_OK(writer.Submit(&fits.ops[0]));  // exactly 250
  EXPECT_EQ(writer.Stats().rejected_full, 1u);
  big.done.count_down();  // never submitted: no on_done for it
  store.Release();
  big.done.wait();
  fits.done.wait();
  // Drained: the rows are free again.
  RowOps again(1, 200);
  EXPECT_TRUE(Eventually([&] { return writer.Stats().queue_depth == 0; }));
  EXPECT_OK(writer.Submit(&again.ops[0]));
  again.done.wait();
}

}  // namespace
}  // namespace thrad::test
