// Conformance (store_conformance.h): MaintenanceStore::DeleteOlderThan and CountOlderThan
// (retention). Backup is
// each backend's own (sqlite/sqlite_maintenance_test.cc, postgres/pg_store_test.cc).
#include <gtest/gtest.h>

#include <vector>

#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

using Table = MaintenanceStore::Table;

template <typename Backend>
class MaintenanceStoreTest : public Backend {
 protected:
  MaintenanceStore& maintenance() { return this->store(); }
};
TYPED_TEST_SUITE(MaintenanceStoreTest, StoreBackends, StoreBackendNames);

TYPED_TEST(MaintenanceStoreTest, DeleteOlderThanWorksInBoundedBatches) {
  std::vector<WriteOp> ops;
  AddEventsAt("p", 25, 1000, ops);
  AddEventsAt("p", 5, 5000, ops);
  for (WriteOp& op : ops) this->Commit({&op});
  ConversionRecord old = Conversion("p", "clk", "k1");
  old.received_at = 1000;
  ClickRecord click;
  click.click_id = "clk";
  click.partner_id = "p";
  click.bid_id = "bid";
  click.created_at = 1;
  ASSERT_OK(this->store().InsertClick(click));
  WriteOp conv = ConversionOp(old);
  this->Commit({&conv});

  std::vector<uint64_t> batches;
  for (;;) {
    auto n = this->maintenance().DeleteOlderThan(Table::kEvents, 2000, 10);
    ASSERT_OK(n);
    batches.push_back(*n);
    if (*n < 10) break;
  }
  EXPECT_EQ(batches, (std::vector<uint64_t>{10, 10, 5}));
  EXPECT_EQ(this->Count("events"), 5);
  auto c = this->maintenance().DeleteOlderThan(Table::kConversions, 2000, 10);
  ASSERT_OK(c);
  EXPECT_EQ(*c, 1u);
  EXPECT_EQ(this->Count("conversions"), 0);
  EXPECT_EQ(this->Count("clicks"), 1);  // clicks are not pruned
  EXPECT_EQ(this->maintenance().DeleteOlderThan(Table::kEvents, 2000, 0).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(this->maintenance().DeleteOlderThan(Table::kConversions, 2000, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TYPED_TEST(MaintenanceStoreTest, CountOlderThanCountsWhatDeleteWouldDeleteAndDeletesNothing) {
  std::vector<WriteOp> ops;
  AddEventsAt("p", 7, 1000, ops);
  AddEventsAt("p", 3, 5000, ops);
  for (WriteOp& op : ops) this->Commit({&op});
  ASSERT_OK(this->store().InsertClick(Click("p", "clk")));
  for (UnixMicros at : {1000, 1500, 6000}) {
    ConversionRecord c = Conversion("p", "clk", "k" + std::to_string(at));
    c.received_at = at;
    WriteOp conv = ConversionOp(c);
    this->Commit({&conv});
  }
  auto events = this->maintenance().CountOlderThan(Table::kEvents, 2000);
  ASSERT_OK(events);
  EXPECT_EQ(*events, 7u);
  auto conversions = this->maintenance().CountOlderThan(Table::kConversions, 2000);
  ASSERT_OK(conversions);
  EXPECT_EQ(*conversions, 2u);
  EXPECT_EQ(*this->maintenance().CountOlderThan(Table::kEvents, 1000), 0u);  // before, not at
  EXPECT_EQ(*this->maintenance().CountOlderThan(Table::kEvents, 1'000'000), 10u);
  EXPECT_EQ(this->Count("events"), 10);
  EXPECT_EQ(this->Count("conversions"), 3);
  // The same numbers DeleteOlderThan then deletes.
  auto deleted = this->maintenance().DeleteOlderThan(Table::kEvents, 2000, 100);
  ASSERT_OK(deleted);
  EXPECT_EQ(*deleted, *events);
  deleted = this->maintenance().DeleteOlderThan(Table::kConversions, 2000, 100);
  ASSERT_OK(deleted);
  EXPECT_EQ(*deleted, *conversions);
}

TYPED_TEST(MaintenanceStoreTest, DeletesTheOldestFirstAndOnlyBeforeTheCutoff) {
  std::vector<EventRecord> events;
  for (int i = 0; i < 5; ++i) {
    EventRecord e = Event("p1", "site:a", "e" + std::to_string(i));
    e.received_at = 1000 + i;
    events.push_back(e);
  }
  WriteOp op = EventOp(events);
  this->Commit({&op});
  auto deleted = this->maintenance().DeleteOlderThan(Table::kEvents, 1003, 2);
  ASSERT_OK(deleted);
  EXPECT_EQ(*deleted, 2u);
  EXPECT_EQ(this->Count("events WHERE received_at < 1002"), 0);
  deleted = this->maintenance().DeleteOlderThan(Table::kEvents, 1003, 2);
  ASSERT_OK(deleted);
  EXPECT_EQ(*deleted, 1u);
  deleted = this->maintenance().DeleteOlderThan(Table::kEvents, 1003, 2);
  ASSERT_OK(deleted);
  EXPECT_EQ(*deleted, 0u);
  EXPECT_EQ(this->Count("events"), 2);
  EXPECT_EQ(this->Count("events WHERE received_at >= 1003"), 2);
}

}  // namespace
}  // namespace thrad::test
