// Conformance (store_conformance.h): MaintenanceStore::DeleteOlderThan, CountOlderThan and
// DeleteExpiredClicks (retention). Backup is each backend's own (sqlite/sqlite_maintenance_test.cc,
// postgres/pg_store_test.cc).
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

// A click goes only once it is both older than the cutoff and past its exp (kept through the
// second of its exp); a click without exp needs only the first. Conversions are not touched.
TYPED_TEST(MaintenanceStoreTest, ExpiredClicksGoOnlyWhenOldAndPastTheirExp) {
  constexpr UnixMicros kNow = 1771524000500000;  // 0.5 s into second 1771524000
  constexpr UnixMicros kCutoff = kNow - 1000;
  auto click = [](const std::string& id, UnixMicros clicked_at, std::optional<int64_t> exp) {
    ClickRecord c = Click("p1", id);
    c.created_at = clicked_at;
    c.exp = exp;
    return c;
  };
  WriteOp op = ClickOp({
      click("old_expired", kCutoff - 10, 1771523999),         // deleted
      click("old_no_exp", kCutoff - 9, std::nullopt),         // deleted
      click("old_exp_this_second", kCutoff - 8, 1771524000),  // kept: exp is this second
      click("old_exp_future", kCutoff - 7, 1771524001),       // kept
      click("new_expired", kCutoff, 1771520000),              // kept: not older than the cutoff
      click("new_no_exp", kCutoff + 1, std::nullopt),         // kept
  });
  this->Commit({&op});
  ASSERT_OK(this->store().InsertClick(click("older_expired", kCutoff - 100, 100)));  // deleted
  WriteOp conv = ConversionOp(Conversion("p1", "old_expired", "k"));
  this->Commit({&conv});
  ASSERT_EQ(Conv(conv).outcome, WriteOutcome::kStored);

  auto count = this->maintenance().CountExpiredClicks(kCutoff, kNow);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 3u);  // what the deletes below delete in all
  EXPECT_EQ(this->Count("clicks"), 7);
  auto first = this->maintenance().DeleteExpiredClicks(kCutoff, kNow, 2);
  ASSERT_OK(first);
  EXPECT_EQ(*first, 2u);  // the oldest two
  EXPECT_EQ(this->Count("clicks WHERE click_id IN ('older_expired', 'old_expired')"), 0);
  auto second = this->maintenance().DeleteExpiredClicks(kCutoff, kNow, 2);
  ASSERT_OK(second);
  EXPECT_EQ(*second, 1u);  // fewer than asked: done
  auto third = this->maintenance().DeleteExpiredClicks(kCutoff, kNow, 2);
  ASSERT_OK(third);
  EXPECT_EQ(*third, 0u);
  EXPECT_EQ(this->Count("clicks"), 4);
  EXPECT_EQ(this->Count("clicks WHERE click_id LIKE 'old_exp%' OR click_id LIKE 'new%'"), 4);
  EXPECT_EQ(this->Count("conversions"), 1);

  // A second later the click whose exp was that second goes too.
  EXPECT_EQ(*this->maintenance().CountExpiredClicks(kCutoff, kNow), 0u);
  EXPECT_EQ(*this->maintenance().CountExpiredClicks(kCutoff, kNow + 1000000), 1u);
  auto later = this->maintenance().DeleteExpiredClicks(kCutoff, kNow + 1000000, 10);
  ASSERT_OK(later);
  EXPECT_EQ(*later, 1u);
  EXPECT_EQ(this->Count("clicks WHERE click_id = 'old_exp_this_second'"), 0);
  EXPECT_EQ(this->maintenance().DeleteExpiredClicks(kCutoff, kNow, 0).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace thrad::test
