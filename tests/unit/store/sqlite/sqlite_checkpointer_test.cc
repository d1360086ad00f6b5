#include "store/sqlite/sqlite_checkpointer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "store/sqlite/sqlite_test_fixture.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

std::unique_ptr<SqliteDb> OpenWal(const std::string& path) {
  auto db = SqliteDb::Open(path, /*create=*/true);
  EXPECT_OK(db) << db.status().ToString();
  std::unique_ptr<SqliteDb> conn = std::move(db).value();
  EXPECT_OK(conn->Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL"));
  return conn;
}

// Appends about `pages` pages of rows to table t in one transaction.
void Grow(SqliteDb& db, int pages) {
  ASSERT_OK(db.Exec("BEGIN"));
  for (int i = 0; i < pages; ++i) {
    ASSERT_OK(db.Exec("INSERT INTO t(v) VALUES(randomblob(3900))"));
  }
  ASSERT_OK(db.Exec("COMMIT"));
}

uintmax_t WalBytes(const std::string& path) {
  std::error_code ec;
  const uintmax_t n = std::filesystem::file_size(path + "-wal", ec);
  return ec ? 0 : n;
}

TEST(SqliteCheckpointerTest, CheckpointsInTheBackgroundAndTheWalIsReused) {
  TempDir dir;
  const std::string path = dir.File("c.db");
  std::unique_ptr<SqliteDb> writer = OpenWal(path);
  ASSERT_OK(writer->Exec("CREATE TABLE t(v BLOB)"));
  SqliteCheckpointer checkpointer(writer->raw(), OpenWal(path));

  Grow(*writer, SqliteCheckpointer::kCheckpointPages / 2);
  EXPECT_EQ(checkpointer.checkpoints(), 0u);  // below the threshold: nothing to do
  Grow(*writer, SqliteCheckpointer::kCheckpointPages);
  for (int i = 0; i < 500 && checkpointer.checkpoints() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(checkpointer.checkpoints(), 1u);
  // Everything was copied into the database file, so the next write restarts the WAL from its
  // beginning instead of growing it.
  const uintmax_t wal = WalBytes(path);
  for (int i = 0; i < 5; ++i) Grow(*writer, 100);
  EXPECT_LE(WalBytes(path), wal);
  auto count = writer->Prepare("SELECT count(*) FROM t");
  ASSERT_OK(count);
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->Int64(0), SqliteCheckpointer::kCheckpointPages * 3 / 2 + 500);
}

TEST(SqliteCheckpointerTest, FarBehindTheWriterCheckpointsAndDestructionRestoresAutomatic) {
  TempDir dir;
  const std::string path = dir.File("c.db");
  std::unique_ptr<SqliteDb> writer = OpenWal(path);
  ASSERT_OK(writer->Exec("CREATE TABLE t(v BLOB)"));
  // A reader holding an old snapshot keeps every checkpoint from finishing.
  std::unique_ptr<SqliteDb> reader = OpenWal(path);
  {
    SqliteCheckpointer checkpointer(writer->raw(), OpenWal(path));
    auto snapshot = reader->Prepare("SELECT count(*) FROM t");
    ASSERT_OK(snapshot);
    ASSERT_TRUE(*snapshot->Step());  // read transaction open until reset
    Grow(*writer, SqliteCheckpointer::kWriterCheckpointPages + 10);
    snapshot->Reset();
    Grow(*writer, 1);  // past the hard limit: this commit checkpoints on the writer itself
    // Nothing holds the WAL now: it can be copied completely.
    bool complete = false;
    for (int i = 0; i < 500 && !complete; ++i) {
      int log = -1, done = -1;
      complete = sqlite3_wal_checkpoint_v2(reader->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log,
                                           &done) == SQLITE_OK &&
                 log == done;
      if (!complete) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(complete);
  }
  // Destroyed: the writer has SQLite's automatic checkpoint back and keeps working.
  Grow(*writer, 10);
  auto count = writer->Prepare("SELECT count(*) FROM t");
  ASSERT_OK(count);
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->Int64(0), SqliteCheckpointer::kWriterCheckpointPages + 21);
}

}  // namespace
}  // namespace thrad::test
