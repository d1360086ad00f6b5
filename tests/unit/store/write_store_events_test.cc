// Conformance (store_conformance.h): WriteStore::CommitBatch for events: deduplication, dry
// runs, an op that fails alone, and CheckWritable.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

using ::testing::ElementsAre;

template <typename Backend>
class WriteStoreEventsTest : public Backend {};
TYPED_TEST_SUITE(WriteStoreEventsTest, StoreBackends, StoreBackendNames);

TYPED_TEST(WriteStoreEventsTest, EventStoredThenDuplicate) {
  WriteOp first = EventOp({Event("p1", "site:a", "e1")});
  this->Commit({&first});
  EXPECT_OK(first.status);
  EXPECT_THAT(Outcomes(first), ElementsAre(WriteOutcome::kStored));

  WriteOp again = EventOp({Event("p1", "site:a", "e1")});
  this->Commit({&again});
  EXPECT_OK(again.status);
  EXPECT_THAT(Outcomes(again), ElementsAre(WriteOutcome::kDuplicate));
  EXPECT_EQ(this->Count("events"), 1);
}

TYPED_TEST(WriteStoreEventsTest, DuplicatesWithinOneBatchAndOneOp) {
  WriteOp a = EventOp({Event("p1", "site:a", "e1"), Event("p1", "site:a", "e1")});
  WriteOp b = EventOp({Event("p1", "site:a", "e1")});
  this->Commit({&a, &b});
  EXPECT_THAT(Outcomes(a), ElementsAre(WriteOutcome::kStored, WriteOutcome::kDuplicate));
  EXPECT_THAT(Outcomes(b), ElementsAre(WriteOutcome::kDuplicate));
  EXPECT_EQ(this->Count("events"), 1);
}

TYPED_TEST(WriteStoreEventsTest, DuplicatesWithinOneBatchNullIdsAndScopes) {
  WriteOp a = EventOp({Event("p1", "site:a", "e1"), Event("p1", "site:a", "e1"),
                       Event("p1", "site:a", std::nullopt), Event("p1", "site:a", std::nullopt)});
  WriteOp b = EventOp(
      {Event("p1", "site:a", "e1"), Event("p1", "site:b", "e1"), Event("p2", "site:a", "e1")});
  this->Commit({&a, &b});
  EXPECT_THAT(Outcomes(a), ElementsAre(WriteOutcome::kStored, WriteOutcome::kDuplicate,
                                       WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_THAT(Outcomes(b),
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_EQ(this->Count("events"), 5);
}

TYPED_TEST(WriteStoreEventsTest, NullEventIdNeverConflicts) {
  WriteOp a = EventOp({Event("p1", "site:a", std::nullopt), Event("p1", "site:a", std::nullopt)});
  WriteOp b = EventOp({Event("p1", "site:a", std::nullopt)});
  this->Commit({&a, &b});
  EXPECT_THAT(Outcomes(a), ElementsAre(WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_THAT(Outcomes(b), ElementsAre(WriteOutcome::kStored));
  EXPECT_EQ(this->Count("events"), 3);
}

TYPED_TEST(WriteStoreEventsTest, DedupIsPerPartnerAndTag) {
  WriteOp op = EventOp(
      {Event("p1", "site:a", "e1"), Event("p2", "site:a", "e1"), Event("p1", "site:b", "e1")});
  this->Commit({&op});
  EXPECT_THAT(Outcomes(op),
              ElementsAre(WriteOutcome::kStored, WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_EQ(this->Count("events"), 3);
}

TYPED_TEST(WriteStoreEventsTest, EventDryRunWritesNothing) {
  WriteOp stored = EventOp({Event("p1", "site:a", "e1")});
  this->Commit({&stored});

  WriteOp dry = EventOp({Event("p1", "site:a", "e1"), Event("p1", "site:a", "e2"),
                         Event("p1", "site:a", std::nullopt)},
                        /*dry_run=*/true);
  this->Commit({&dry});
  EXPECT_OK(dry.status);
  EXPECT_THAT(Outcomes(dry),
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_EQ(this->Count("events"), 1);
}

TYPED_TEST(WriteStoreEventsTest, OneFailingOpFailsAloneAndIsRolledBack) {
  this->FailInsertsOfEventsNamed("poison");
  EventRecord poison = Event("p1", "site:a", "e3");
  poison.event_name = "poison";
  WriteOp ok1 = EventOp({Event("p1", "site:a", "e1")});
  // The first event of the failing op succeeds before the second fails: both roll back.
  WriteOp bad = EventOp({Event("p1", "site:a", "e2"), poison});
  WriteOp ok2 = EventOp({Event("p1", "site:a", "e4")});
  WriteOp conv = ConversionOp(Conversion("p1", "clk_missing", "k"));
  this->Commit({&ok1, &bad, &ok2, &conv});

  EXPECT_OK(ok1.status);
  EXPECT_OK(ok2.status);
  EXPECT_OK(conv.status);
  EXPECT_EQ(Conv(conv).outcome, WriteOutcome::kClickNotFound);
  EXPECT_FALSE(bad.status.ok());
  EXPECT_EQ(bad.status.code(), StatusCode::kInternal);
  EXPECT_THAT(Outcomes(bad), ElementsAre(WriteOutcome::kPending, WriteOutcome::kPending));
  EXPECT_EQ(this->Count("events"), 2);
  EXPECT_EQ(this->Count("events WHERE event_id = 'e2'"), 0);
}

TYPED_TEST(WriteStoreEventsTest, CheckWritableWritesTheHealthRow) {
  ASSERT_OK(this->store().CheckWritable());
  ASSERT_OK(this->store().CheckWritable());
  EXPECT_EQ(this->Count("health"), 1);
}

}  // namespace
}  // namespace thrad::test
