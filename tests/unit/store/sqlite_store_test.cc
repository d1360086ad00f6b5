#include "store/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
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
  ASSERT_OK(db);
  auto mode = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_OK(mode);
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->Text(0), "wal");
}

TEST_F(SqliteStoreTest, ReopenKeepsData) {
  WriteOp op = EventOp({Event("p1", "site:a", "e1")});
  Commit({&op});
  store_.reset();
  auto reopened = SqliteStore::Open(DbPath());
  ASSERT_OK(reopened);
  ASSERT_OK((*reopened)->Migrate());
  EXPECT_EQ(Count("events"), 1);
}

TEST_F(SqliteStoreTest, EventStoredThenDuplicate) {
  WriteOp first = EventOp({Event("p1", "site:a", "e1")});
  Commit({&first});
  EXPECT_OK(first.status);
  EXPECT_THAT(Outcomes(first), ElementsAre(WriteOutcome::kStored));

  WriteOp again = EventOp({Event("p1", "site:a", "e1")});
  Commit({&again});
  EXPECT_OK(again.status);
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

// A large op is written in multi-row statements of up to 32 rows; a statement that meets a
// stored identity is undone and its rows go one by one. Every outcome stays exact, whichever
// statement holds the duplicates, and every row is stored once with its own values.
TEST_F(SqliteStoreTest, LargeOpKeepsEveryOutcomeAcrossItsStatements) {
  WriteOp earlier = EventOp({Event("p1", "site:a", "e40")});
  Commit({&earlier});
  std::vector<EventRecord> events;
  for (int i = 0; i < 100; ++i) {
    events.push_back(Event("p1", "site:a", "e" + std::to_string(i)));
    events.back().received_at = 1'000'000 + i;  // each row's own value, to check binding
  }
  events.push_back(Event("p1", "site:a", std::nullopt));  // 100: never conflicts
  events.push_back(Event("p1", "site:a", "e5"));          // 101: repeats row 5 of this op
  WriteOp big = EventOp(std::move(events));
  Commit({&big});
  ASSERT_OK(big.status);
  const std::vector<WriteOutcome>& out = Outcomes(big);
  ASSERT_EQ(out.size(), 102u);
  for (size_t i = 0; i < out.size(); ++i) {
    const bool duplicate = i == 40 || i == 101;
    EXPECT_EQ(out[i], duplicate ? WriteOutcome::kDuplicate : WriteOutcome::kStored) << i;
  }
  EXPECT_EQ(Count("events"), 1 + 99 + 1);
  // Rows 0-31 and 64-95 went in one statement each; 32-63 (with e40) and 96-101 (with e5
  // again) one by one. Each row is there once, with its own values.
  for (int i : {0, 31, 32, 39, 41, 63, 64, 95, 96, 99}) {
    EXPECT_EQ(Count("events WHERE event_id = 'e" + std::to_string(i) +
                    "' AND received_at = " + std::to_string(1'000'000 + i)),
              1)
        << i;
  }
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
  EXPECT_OK(dry.status);
  EXPECT_THAT(Outcomes(dry),
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_EQ(Count("events"), 1);
}

TEST_F(SqliteStoreTest, OneFailingOpFailsAloneAndIsRolledBack) {
  {
    // A real statement failure, injected with a trigger on a second connection.
    auto db = SqliteDb::Open(DbPath(), false);
    ASSERT_OK(db);
    ASSERT_OK(
        (*db)->Exec("CREATE TRIGGER poison BEFORE INSERT ON events "
                    "WHEN NEW.event_name = 'poison' BEGIN SELECT RAISE(ABORT, 'boom'); END"));
  }
  EventRecord poison = Event("p1", "site:a", "e3");
  poison.event_name = "poison";
  WriteOp ok1 = EventOp({Event("p1", "site:a", "e1")});
  // The first event of the failing op succeeds before the second fails: both roll back.
  WriteOp bad = EventOp({Event("p1", "site:a", "e2"), poison});
  WriteOp ok2 = EventOp({Event("p1", "site:a", "e4")});
  Commit({&ok1, &bad, &ok2});

  EXPECT_OK(ok1.status);
  EXPECT_OK(ok2.status);
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
  ASSERT_OK(other);
  ASSERT_OK((*other)->Exec("BEGIN IMMEDIATE"));  // holds the write lock

  WriteOp a = EventOp({Event("p1", "site:a", "e1")});
  WriteOp b = ConversionOp(Conversion("p1", "clk", "k"));
  Status st = store_->CommitBatch(std::vector<WriteOp*>{&a, &b});
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_EQ(a.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(b.status.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(store_->CheckWritable().ok());

  ASSERT_OK((*other)->Exec("COMMIT"));
  EXPECT_OK(store_->CheckWritable());
  WriteOp c = EventOp({Event("p1", "site:a", "e1")});
  Commit({&c});
  EXPECT_OK(c.status);
  EXPECT_THAT(Outcomes(c), ElementsAre(WriteOutcome::kStored));
  EXPECT_EQ(Count("events"), 1);
}

TEST_F(SqliteStoreTest, CheckWritableWritesTheHealthRow) {
  ASSERT_OK(store_->CheckWritable());
  ASSERT_OK(store_->CheckWritable());
  EXPECT_EQ(Count("health"), 1);
}

TEST(SqliteStoreOpenTest, FailsCleanlyOnUnwritableLocation) {
  TempDir dir;
  std::string blocker = dir.File("file");
  ASSERT_OK(SqliteStore::Open(blocker));  // a regular file where a directory must go
  auto st = SqliteStore::Open(blocker + "/sub/thrad.db");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace thrad::test
