#include "store/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "store_test_util.h"

namespace thrad::testing {
namespace {

using ::testing::ElementsAre;

mode_t FileMode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST_F(SqliteStoreTest, CreatesParentDirsAndPrivateFiles) {
  EXPECT_EQ(FileMode(DbPath()), 0600u);
  WriteOp op = EventOp({Event("p1", "site:a", "e1")});
  Commit({&op});
  EXPECT_EQ(FileMode(DbPath() + "-wal"), 0600u);
}

TEST_F(SqliteStoreTest, UsesWalJournal) {
  auto db = SqliteDb::Open(DbPath(), false);
  ASSERT_TRUE(db.ok());
  auto mode = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->Text(0), "wal");
}

TEST_F(SqliteStoreTest, ReopenKeepsData) {
  WriteOp op = EventOp({Event("p1", "site:a", "e1")});
  Commit({&op});
  store_.reset();
  auto reopened = SqliteStore::Open(DbPath());
  ASSERT_TRUE(reopened.ok());
  ASSERT_TRUE((*reopened)->Migrate().ok());
  EXPECT_EQ(Count("events"), 1);
}

TEST_F(SqliteStoreTest, EventStoredThenDuplicate) {
  WriteOp first = EventOp({Event("p1", "site:a", "e1")});
  Commit({&first});
  EXPECT_TRUE(first.status.ok());
  EXPECT_THAT(Outcomes(first), ElementsAre(WriteOutcome::kStored));

  WriteOp again = EventOp({Event("p1", "site:a", "e1")});
  Commit({&again});
  EXPECT_TRUE(again.status.ok());
  EXPECT_THAT(Outcomes(again), ElementsAre(WriteOutcome::kDuplicate));
  EXPECT_EQ(Count("events"), 1);
}

TEST_F(SqliteStoreTest, DuplicatesWithinOneBatchAndOneOp) {
  WriteOp a = EventOp({Event("p1", "site:a", "e1"), Event("p1", "site:a", "e1")});
  WriteOp b = EventOp({Event("p1", "site:a", "e1")});
  Commit({&a, &b});
  EXPECT_THAT(Outcomes(a), ElementsAre(WriteOutcome::kStored, WriteOutcome::kDuplicate));
  EXPECT_THAT(Outcomes(b), ElementsAre(WriteOutcome::kDuplicate));
  EXPECT_EQ(Count("events"), 1);
}

TEST_F(SqliteStoreTest, NullEventIdNeverConflicts) {
  WriteOp a = EventOp({Event("p1", "site:a", std::nullopt), Event("p1", "site:a", std::nullopt)});
  WriteOp b = EventOp({Event("p1", "site:a", std::nullopt)});
  Commit({&a, &b});
  EXPECT_THAT(Outcomes(a), ElementsAre(WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_THAT(Outcomes(b), ElementsAre(WriteOutcome::kStored));
  EXPECT_EQ(Count("events"), 3);
}

TEST_F(SqliteStoreTest, DedupIsPerPartnerAndTag) {
  WriteOp op = EventOp(
      {Event("p1", "site:a", "e1"), Event("p2", "site:a", "e1"), Event("p1", "site:b", "e1")});
  Commit({&op});
  EXPECT_THAT(Outcomes(op),
              ElementsAre(WriteOutcome::kStored, WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_EQ(Count("events"), 3);
}

TEST_F(SqliteStoreTest, EventDryRunWritesNothing) {
  WriteOp stored = EventOp({Event("p1", "site:a", "e1")});
  Commit({&stored});

  WriteOp dry = EventOp({Event("p1", "site:a", "e1"), Event("p1", "site:a", "e2"),
                         Event("p1", "site:a", std::nullopt)},
                        /*dry_run=*/true);
  Commit({&dry});
  EXPECT_TRUE(dry.status.ok());
  EXPECT_THAT(Outcomes(dry),
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_EQ(Count("events"), 1);
}

TEST_F(SqliteStoreTest, OneFailingOpFailsAloneAndIsRolledBack) {
  {
    // A real statement failure, injected with a trigger on a second connection.
    auto db = SqliteDb::Open(DbPath(), false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("CREATE TRIGGER poison BEFORE INSERT ON events "
                           "WHEN NEW.event_name = 'poison' BEGIN SELECT RAISE(ABORT, 'boom'); END")
                    .ok());
  }
  EventRecord poison = Event("p1", "site:a", "e3");
  poison.event_name = "poison";
  WriteOp ok1 = EventOp({Event("p1", "site:a", "e1")});
  // The first event of the failing op succeeds before the second fails: both roll back.
  WriteOp bad = EventOp({Event("p1", "site:a", "e2"), poison});
  WriteOp ok2 = EventOp({Event("p1", "site:a", "e4")});
  Commit({&ok1, &bad, &ok2});

  EXPECT_TRUE(ok1.status.ok());
  EXPECT_TRUE(ok2.status.ok());
  EXPECT_FALSE(bad.status.ok());
  EXPECT_EQ(bad.status.code(), StatusCode::kInternal);
  EXPECT_THAT(Outcomes(bad), ElementsAre(WriteOutcome::kPending, WriteOutcome::kPending));
  EXPECT_EQ(Count("events"), 2);
  EXPECT_EQ(Count("events WHERE event_id = 'e2'"), 0);
}

class BusySqliteStoreTest : public SqliteStoreTest {
 protected:
  SqliteStoreOptions Options() const override {
    SqliteStoreOptions o;
    o.busy_timeout_ms = 50;
    return o;
  }
};

TEST_F(BusySqliteStoreTest, LockedDatabaseFailsTheWholeBatchThenRecovers) {
  auto other = SqliteDb::Open(DbPath(), false);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Exec("BEGIN IMMEDIATE").ok());  // holds the write lock

  WriteOp a = EventOp({Event("p1", "site:a", "e1")});
  WriteOp b = ConversionOp(Conversion("p1", "clk", "k"));
  Status st = store_->CommitBatch(std::vector<WriteOp*>{&a, &b});
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_EQ(a.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(b.status.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(store_->CheckWritable().ok());

  ASSERT_TRUE((*other)->Exec("COMMIT").ok());
  EXPECT_TRUE(store_->CheckWritable().ok());
  WriteOp c = EventOp({Event("p1", "site:a", "e1")});
  Commit({&c});
  EXPECT_TRUE(c.status.ok());
  EXPECT_THAT(Outcomes(c), ElementsAre(WriteOutcome::kStored));
  EXPECT_EQ(Count("events"), 1);
}

TEST_F(SqliteStoreTest, CheckWritableWritesTheHealthRow) {
  ASSERT_TRUE(store_->CheckWritable().ok());
  ASSERT_TRUE(store_->CheckWritable().ok());
  EXPECT_EQ(Count("health"), 1);
}

TEST(SqliteStoreOpenTest, FailsCleanlyOnUnwritableLocation) {
  TempDir dir;
  std::string blocker = dir.File("file");
  ASSERT_TRUE(SqliteStore::Open(blocker).ok());  // a regular file where a directory must go
  auto st = SqliteStore::Open(blocker + "/sub/thrad.db");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace thrad::testing
