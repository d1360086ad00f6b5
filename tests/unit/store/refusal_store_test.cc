// Conformance (store_conformance.h): diagnostics' storage (REPORTS.md section 5). Count deltas
// add up across flushes, samples are kept newest 100 per partner, old count rows go, and the
// read sums over buckets (and partners for admin) and orders samples newest first.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {
namespace refusal_store_test {

constexpr int64_t kHour = kRefusalBucketMicros;
constexpr int64_t kT0 = 1771524000000000;  // 2026-02-19T18:00:00Z, an hour start

RefusalCountKey Key(std::string partner, int64_t at, int status, std::string type = "",
                    std::string loc = "") {
  return {std::move(partner),
          RefusalBucket(at),
          "/v1/api/collect",
          status,
          status == 422 ? "Validation error" : "Click not found",
          std::move(type),
          std::move(loc)};
}

RefusalSample Sample(std::string partner, int64_t at, std::string request_id) {
  return {std::move(partner), at,   "/v1/api/collect",     404,
          "Click not found",  "[]", std::move(request_id), "key_1"};
}

WriteOp Op(RefusalWrite w) {
  WriteOp op;
  op.payload = std::move(w);
  return op;
}

template <typename Backend>
class RefusalStoreTest : public Backend {
 protected:
  RefusalReport Read(std::optional<std::string> partner, int64_t now, int hours = 24) {
    RefusalQuery q;
    q.partner_id = std::move(partner);
    q.from_bucket = RefusalBucket(now - hours * kHour);
    q.since = now - hours * kHour;
    Result<RefusalReport> r = this->store().ReadRefusals(q);
    EXPECT_OK(r.status());
    return r.ok() ? *r : RefusalReport{};
  }
};
TYPED_TEST_SUITE(RefusalStoreTest, StoreBackends, StoreBackendNames);

TYPED_TEST(RefusalStoreTest, CountsAddUpAcrossFlushesAndBuckets) {
  RefusalWrite w1;
  w1.now = kT0 + 10;
  w1.counts[Key("p1", kT0, 404)] = 3;
  w1.counts[Key("p1", kT0, 422, "missing", R"(["body","event_name"])")] = 2;
  w1.counts[Key("p2", kT0, 404)] = 7;
  WriteOp op1 = Op(w1);
  RefusalWrite w2;
  w2.now = kT0 + kHour;
  w2.counts[Key("p1", kT0 + kHour, 404)] = 4;  // the next hour
  WriteOp op2 = Op(w2);
  this->Commit({&op1});
  this->Commit({&op2});
  ASSERT_OK(op1.status);
  ASSERT_OK(op2.status);

  RefusalReport p1 = this->Read("p1", kT0 + kHour + 5);
  ASSERT_EQ(p1.counts.size(), 2u);
  EXPECT_EQ(p1.counts[0].status, 404);
  EXPECT_EQ(p1.counts[0].count, 7);
  EXPECT_EQ(p1.counts[0].type, "");
  EXPECT_EQ(p1.counts[1].type, "missing");
  EXPECT_EQ(p1.counts[1].loc, R"(["body","event_name"])");
  EXPECT_EQ(p1.counts[1].count, 2);

  RefusalReport all = this->Read(std::nullopt, kT0 + kHour + 5);
  ASSERT_EQ(all.counts.size(), 2u);
  EXPECT_EQ(all.counts[0].count, 14);  // p1's 7 and p2's 7
  // One hour back: only the current bucket and the one overlapping the window's start.
  RefusalReport recent = this->Read("p1", kT0 + 2 * kHour + 5, 1);
  ASSERT_EQ(recent.counts.size(), 1u);
  EXPECT_EQ(recent.counts[0].count, 4);
}

TYPED_TEST(RefusalStoreTest, KeepsTheNewestHundredSamplesPerPartner) {
  for (int flush = 0; flush < 3; ++flush) {
    RefusalWrite w;
    w.now = kT0 + flush * 1000;
    for (int i = 0; i < 70; ++i) {
      const int n = flush * 70 + i;
      w.samples.push_back(Sample("p1", kT0 + n, "req_" + std::to_string(n)));
    }
    w.samples.push_back(Sample("p2", kT0 + flush, "other_" + std::to_string(flush)));
    WriteOp op = Op(w);
    this->Commit({&op});
    ASSERT_OK(op.status);
  }
  RefusalReport p1 = this->Read("p1", kT0 + 1000);
  ASSERT_EQ(p1.recent.size(), 100u);
  EXPECT_EQ(p1.recent.front().request_id, "req_209");
  EXPECT_EQ(p1.recent.back().request_id, "req_110");
  EXPECT_EQ(p1.recent.front().partner_id, "p1");
  RefusalReport p2 = this->Read("p2", kT0 + 1000);
  ASSERT_EQ(p2.recent.size(), 3u);
  EXPECT_EQ(p2.recent.front().request_id, "other_2");
  // Older than the window: none.
  EXPECT_TRUE(this->Read("p1", kT0 + 25 * kHour).recent.empty());
}

TYPED_TEST(RefusalStoreTest, DropsCountRowsOlderThanTheLongestWindow) {
  RefusalWrite old;
  old.now = kT0;
  old.counts[Key("p1", kT0, 404)] = 1;
  WriteOp op1 = Op(old);
  this->Commit({&op1});
  RefusalWrite later;
  later.now = kT0 + (kRefusalMaxHours + 2) * kHour;
  later.counts[Key("p1", later.now, 404)] = 1;
  WriteOp op2 = Op(later);
  this->Commit({&op2});
  RefusalReport all = this->Read("p1", later.now, 1000);  // any window: the old row is gone
  ASSERT_EQ(all.counts.size(), 1u);
  EXPECT_EQ(all.counts[0].count, 1);
}

TYPED_TEST(RefusalStoreTest, CommitsBesideEventsInOneBatch) {
  WriteOp events = EventOp({Event("p1", "t1", "e1")});
  RefusalWrite w;
  w.now = kT0;
  w.counts[Key("p1", kT0, 404)] = 2;
  WriteOp refusals = Op(w);
  this->Commit({&events, &refusals});
  ASSERT_OK(events.status);
  ASSERT_OK(refusals.status);
  RefusalReport p1 = this->Read("p1", kT0 + 1);
  ASSERT_EQ(p1.counts.size(), 1u);
  EXPECT_EQ(p1.counts[0].count, 2);
}

}  // namespace refusal_store_test
}  // namespace
}  // namespace thrad::test
