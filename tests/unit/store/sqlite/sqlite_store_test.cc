#include "store/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "store/sqlite/sqlite_test_fixture.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

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

// SQLite's temporary files go to `dir` (sqlite3_temp_directory) while this lives, and every
// file created there is seen through inotify (they are unlinked as soon as they are opened).
class TempFileWatch {
 public:
  explicit TempFileWatch(const std::string& dir) {
    sqlite3_temp_directory = sqlite3_mprintf("%s", dir.c_str());
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    EXPECT_GE(fd_, 0);
    EXPECT_GE(::inotify_add_watch(fd_, dir.c_str(), IN_CREATE), 0);
  }
  ~TempFileWatch() {
    ::close(fd_);
    sqlite3_free(sqlite3_temp_directory);
    sqlite3_temp_directory = nullptr;
  }
  TempFileWatch(const TempFileWatch&) = delete;
  TempFileWatch& operator=(const TempFileWatch&) = delete;

  // The names of the files created since the last call.
  std::vector<std::string> Created() {
    std::vector<std::string> names;
    alignas(inotify_event) char buf[4096];
    ssize_t n;
    while ((n = ::read(fd_, buf, sizeof buf)) > 0) {
      for (ssize_t at = 0; at < n;) {
        const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
        names.emplace_back(e->len ? e->name : "");
        at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
      }
    }
    return names;
  }

 private:
  int fd_ = -1;
};

// The writer keeps its statement journals in memory (SqliteStore::Open): a large op, whose
// savepoints journal every page of the events table and its index that the op changes, creates
// no temporary file. With SQLite's default (temp_store = FILE) the journal passes 64 KiB here
// and goes to a file, written a page at a time.
TEST_F(SqliteStoreTest, LargeOpsJournalInMemoryNotInATemporaryFile) {
  TempDir tmp;
  store_.reset();
  TempFileWatch watch(tmp.path().string());
  auto reopened = SqliteStore::Open(DbPath());
  ASSERT_OK(reopened);
  store_ = std::move(reopened).value();
  auto op_of = [](int first, int n) {
    std::vector<EventRecord> events;
    // Identities spread over the unique index, as clients' random event ids are.
    for (int i = first; i < first + n; ++i) {
      events.push_back(Event("p1", "site:a", "e" + std::to_string((i * 7919) % 100'003)));
    }
    return EventOp(std::move(events));
  };
  for (int k = 0; k < 4; ++k) {  // an index of a few hundred pages
    WriteOp fill = op_of(k * 2'000, 2'000);
    Commit({&fill});
    ASSERT_OK(fill.status);
  }
  (void)watch.Created();
  WriteOp big = op_of(8'000, 1'000);
  WriteOp small = op_of(9'000, 40);
  Commit({&big, &small});
  ASSERT_OK(big.status);
  ASSERT_OK(small.status);
  EXPECT_THAT(Outcomes(big), ::testing::Each(WriteOutcome::kStored));
  EXPECT_EQ(Count("events"), 9'040);
  EXPECT_THAT(watch.Created(), ::testing::IsEmpty());
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

class PipelinedSqliteStoreTest : public SqliteStoreTest {
 protected:
  SqliteStoreOptions Options() const override {
    SqliteStoreOptions o;
    o.pipelined_sync = true;
    return o;
  }
};

// The deferred-sync path (CommitBatchUnsynced, then SyncCommitted) writes clicks like
// CommitBatch: before the conversions of the batch, duplicates answered with the stored click.
TEST_F(PipelinedSqliteStoreTest, UnsyncedCommitWritesClicksBeforeConversions) {
  WriteOp conv = ConversionOp(Conversion("p1", "clk_1", "k"));
  WriteOp clicks = ClickOp({Click("p1", "clk_1"), Click("p1", "clk_1", "bid_2")});
  ASSERT_OK(store_->CommitBatchUnsynced(std::vector<WriteOp*>{&conv, &clicks}));
  ASSERT_OK(store_->SyncCommitted());
  EXPECT_OK(clicks.status);
  EXPECT_THAT(Clicks(clicks).outcomes,
              ElementsAre(WriteOutcome::kStored, WriteOutcome::kDuplicate));
  EXPECT_EQ(Clicks(clicks).clicks[1].bid_id, "bid_1");
  EXPECT_EQ(Conv(conv).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(conv).conversion.click_time, Click("p1", "clk_1").created_at);
  EXPECT_EQ(Count("clicks"), 1);
  EXPECT_EQ(Count("conversions"), 1);
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
