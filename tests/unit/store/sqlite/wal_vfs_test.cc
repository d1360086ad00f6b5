#include "store/sqlite/wal_vfs.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

// A VFS under the one tested: "unix", counting the writes and syncs that reach WAL files.
struct Counts {
  int wal_writes = 0;
  int wal_syncs = 0;
  bool fail_wal_writes = false;  // each WAL write fails as a full disk would
};
Counts counts;

struct CountFile {
  sqlite3_file base;
  sqlite3_file* real;
  bool wal;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<CountFile*>(f)->real; }

sqlite3_io_methods MakeCountMethods() {
  sqlite3_io_methods m{};
  m.iVersion = 3;
  m.xClose = [](sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); };
  m.xRead = [](sqlite3_file* f, void* p, int n, sqlite3_int64 o) {
    return Real(f)->pMethods->xRead(Real(f), p, n, o);
  };
  m.xWrite = [](sqlite3_file* f, const void* p, int n, sqlite3_int64 o) {
    if (reinterpret_cast<CountFile*>(f)->wal) {
      ++counts.wal_writes;
      if (counts.fail_wal_writes) return SQLITE_FULL;
    }
    return Real(f)->pMethods->xWrite(Real(f), p, n, o);
  };
  m.xTruncate = [](sqlite3_file* f, sqlite3_int64 n) {
    return Real(f)->pMethods->xTruncate(Real(f), n);
  };
  m.xSync = [](sqlite3_file* f, int flags) {
    if (reinterpret_cast<CountFile*>(f)->wal) ++counts.wal_syncs;
    return Real(f)->pMethods->xSync(Real(f), flags);
  };
  m.xFileSize = [](sqlite3_file* f, sqlite3_int64* n) {
    return Real(f)->pMethods->xFileSize(Real(f), n);
  };
  m.xLock = [](sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); };
  m.xUnlock = [](sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); };
  m.xCheckReservedLock = [](sqlite3_file* f, int* out) {
    return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
  };
  m.xFileControl = [](sqlite3_file* f, int op, void* arg) {
    return Real(f)->pMethods->xFileControl(Real(f), op, arg);
  };
  m.xSectorSize = [](sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); };
  m.xDeviceCharacteristics = [](sqlite3_file* f) {
    return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
  };
  m.xShmMap = [](sqlite3_file* f, int pg, int sz, int ext, void volatile** out) {
    return Real(f)->pMethods->xShmMap(Real(f), pg, sz, ext, out);
  };
  m.xShmLock = [](sqlite3_file* f, int o, int n, int fl) {
    return Real(f)->pMethods->xShmLock(Real(f), o, n, fl);
  };
  m.xShmBarrier = [](sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); };
  m.xShmUnmap = [](sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); };
  m.xFetch = [](sqlite3_file* f, sqlite3_int64 o, int n, void** out) {
    return Real(f)->pMethods->xFetch(Real(f), o, n, out);
  };
  m.xUnfetch = [](sqlite3_file* f, sqlite3_int64 o, void* p) {
    return Real(f)->pMethods->xUnfetch(Real(f), o, p);
  };
  return m;
}
const sqlite3_io_methods kCountMethods = MakeCountMethods();

// Registers "count" over "unix", and "thrad-wal-test" (the VFS tested) over "count".
void RegisterVfses() {
  static const bool kDone = [] {
    sqlite3_vfs* unix_vfs = sqlite3_vfs_find("unix");
    static sqlite3_vfs count = *unix_vfs;
    count.zName = "count";
    count.szOsFile = static_cast<int>(sizeof(CountFile)) + unix_vfs->szOsFile;
    count.pAppData = unix_vfs;
    count.xOpen = [](sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
                     int* out) {
      auto* base = static_cast<sqlite3_vfs*>(vfs->pAppData);
      auto* c = reinterpret_cast<CountFile*>(file);
      c->real = reinterpret_cast<sqlite3_file*>(c + 1);
      c->wal = (flags & SQLITE_OPEN_WAL) != 0;
      int rc = base->xOpen(base, name, c->real, flags, out);
      file->pMethods = rc == SQLITE_OK ? &kCountMethods : nullptr;
      return rc;
    };
    EXPECT_EQ(sqlite3_vfs_register(&count, 0), SQLITE_OK);
    EXPECT_OK(RegisterWalVfs("thrad-wal-test", "count"));
    return true;
  }();
  (void)kDone;
}

sqlite3* Open(const std::string& path, const char* vfs) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
            SQLITE_OK);
  return db;
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << sql << ": " << (err ? err : "");
  sqlite3_free(err);
}

int64_t Scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW) << sql;
  const int64_t v = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return v;
}

// A connection as the store opens one: WAL, synchronous=FULL, checkpoint_fullfsync, and no
// automatic checkpoint (so the test decides when the WAL is copied back).
sqlite3* OpenStoreLike(const std::string& path, const char* vfs) {
  sqlite3* db = Open(path, vfs);
  Exec(db,
       "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA checkpoint_fullfsync = ON; "
       "PRAGMA wal_autocheckpoint = 0");
  return db;
}

// One transaction of `rows` rows of 3,900 bytes each (a page apiece), numbered from `first`.
void InsertRows(sqlite3* db, int first, int rows) {
  Exec(db, "BEGIN");
  for (int i = 0; i < rows; ++i) {
    Exec(db, "INSERT INTO t(n, v) VALUES(" + std::to_string(first + i) + ", randomblob(3900))");
  }
  Exec(db, "COMMIT");
}

class WalVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterVfses();
    path_ = dir_.File("w.db");
    db_ = OpenStoreLike(path_, "thrad-wal-test");
    Exec(db_, "CREATE TABLE t(n INTEGER PRIMARY KEY, v BLOB)");
  }
  void TearDown() override { sqlite3_close(db_); }

  TempDir dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

TEST_F(WalVfsTest, ACommitWritesItsFramesWithOneWriteAndOneSync) {
  counts = {};
  InsertRows(db_, 0, 20);  // 20 pages of rows, plus the table's interior page
  EXPECT_EQ(counts.wal_writes, 1);
  EXPECT_EQ(counts.wal_syncs, 1);

  // The same commit straight through "count" takes two writes per frame.
  sqlite3* plain = OpenStoreLike(dir_.File("plain.db"), "count");
  Exec(plain, "CREATE TABLE t(n INTEGER PRIMARY KEY, v BLOB)");
  counts = {};
  InsertRows(plain, 0, 20);
  EXPECT_GE(counts.wal_writes, 42);
  EXPECT_EQ(counts.wal_syncs, 1);
  sqlite3_close(plain);
}

TEST_F(WalVfsTest, OtherConnectionsSeeACommitAsSoonAsItReturns) {
  sqlite3* same_vfs = OpenStoreLike(path_, "thrad-wal-test");
  sqlite3* unix_vfs = OpenStoreLike(path_, "unix");
  for (int round = 0; round < 5; ++round) {
    InsertRows(db_, round * 10, 10);
    const int64_t want = (round + 1) * 10;
    EXPECT_EQ(Scalar(same_vfs, "SELECT count(*) FROM t WHERE length(v) = 3900"), want);
    EXPECT_EQ(Scalar(unix_vfs, "SELECT count(*) FROM t WHERE length(v) = 3900"), want);
  }
  EXPECT_EQ(Scalar(unix_vfs, "SELECT sum(hex(v) = hex(v)) FROM t"), 50);
  sqlite3_close(unix_vfs);
  sqlite3_close(same_vfs);
}

TEST_F(WalVfsTest, ATransactionLargerThanTheBufferIsWrittenInPiecesAndReadsBackWhole) {
  counts = {};
  const int rows = kWalBufferBytes / 4096 * 3;  // three buffers' worth of frames
  InsertRows(db_, 0, rows);
  EXPECT_GE(counts.wal_writes, 3);
  EXPECT_LE(counts.wal_writes, 5);
  sqlite3* reader = OpenStoreLike(path_, "unix");
  EXPECT_EQ(Scalar(reader, "SELECT count(*) FROM t WHERE length(v) = 3900"), rows);
  EXPECT_EQ(Scalar(reader,
                   "SELECT count(*) FROM pragma_integrity_check WHERE "
                   "integrity_check = 'ok'"),
            1);
  sqlite3_close(reader);
}

TEST_F(WalVfsTest, TheFramesOnDiskRecoverInAFreshCopyOfTheFiles) {
  InsertRows(db_, 0, 30);
  InsertRows(db_, 30, 30);
  // The files as a crash right after COMMIT would leave them: the database and its WAL,
  // without the shared-memory index, so the copy rebuilds it from the frames' checksums.
  for (const char* suffix : {"", "-wal"}) {
    std::filesystem::copy_file(path_ + suffix, dir_.File("copy.db") + suffix);
  }
  sqlite3* copy = Open(dir_.File("copy.db"), "unix");
  EXPECT_EQ(Scalar(copy, "SELECT count(*) FROM t WHERE length(v) = 3900"), 60);
  EXPECT_EQ(Scalar(copy,
                   "SELECT count(*) FROM pragma_integrity_check WHERE "
                   "integrity_check = 'ok'"),
            1);
  sqlite3_close(copy);
}

TEST_F(WalVfsTest, ASpilledTransactionRolledBackLeavesNothingBehind) {
  InsertRows(db_, 0, 5);
  Exec(db_, "PRAGMA cache_size = 10");  // the transaction below spills frames mid-way
  Exec(db_, "BEGIN");
  for (int i = 100; i < 200; ++i) {
    Exec(db_, "INSERT INTO t(n, v) VALUES(" + std::to_string(i) + ", randomblob(3900))");
  }
  Exec(db_, "ROLLBACK");
  InsertRows(db_, 5, 5);
  sqlite3* reader = OpenStoreLike(path_, "unix");
  EXPECT_EQ(Scalar(reader, "SELECT count(*) FROM t"), 10);
  EXPECT_EQ(Scalar(reader, "SELECT max(n) FROM t"), 9);
  EXPECT_EQ(Scalar(reader,
                   "SELECT count(*) FROM pragma_integrity_check WHERE "
                   "integrity_check = 'ok'"),
            1);
  sqlite3_close(reader);
}

TEST_F(WalVfsTest, ADeferredCommitWritesButDoesNotSyncWhileCheckpointsStillSync) {
  ASSERT_OK(DeferWalCommitSync(db_, true));
  counts = {};
  InsertRows(db_, 0, 10);
  EXPECT_EQ(counts.wal_writes, 1);
  EXPECT_EQ(counts.wal_syncs, 0);  // the caller fdatasyncs the WAL itself
  sqlite3* reader = OpenStoreLike(path_, "unix");
  EXPECT_EQ(Scalar(reader, "SELECT count(*) FROM t"), 10);
  sqlite3_close(reader);

  counts = {};
  Exec(db_, "PRAGMA wal_checkpoint(PASSIVE)");  // copies frames back: syncs the WAL first
  EXPECT_GE(counts.wal_syncs, 1);

  ASSERT_OK(DeferWalCommitSync(db_, false));
  InsertRows(db_, 10, 10);  // restarts the WAL after the checkpoint: syncs its new header too
  counts = {};
  InsertRows(db_, 20, 10);
  EXPECT_EQ(counts.wal_syncs, 1);
}

TEST_F(WalVfsTest, AWriteThatFailsAtCommitFailsTheCommitAndPublishesNothing) {
  InsertRows(db_, 0, 5);
  counts = {};
  counts.fail_wal_writes = true;
  Exec(db_, "BEGIN");
  Exec(db_, "INSERT INTO t(n, v) VALUES(5, randomblob(3900))");
  EXPECT_EQ(counts.wal_writes, 0);  // gathered, not written yet
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db_, "COMMIT", nullptr, nullptr, &err), SQLITE_FULL);
  sqlite3_free(err);
  EXPECT_EQ(counts.wal_writes, 1);
  counts.fail_wal_writes = false;
  if (!sqlite3_get_autocommit(db_)) Exec(db_, "ROLLBACK");

  sqlite3* reader = OpenStoreLike(path_, "unix");
  EXPECT_EQ(Scalar(reader, "SELECT count(*) FROM t"), 5);
  InsertRows(db_, 5, 5);  // the next commit writes its frames over the failed ones
  EXPECT_EQ(Scalar(reader, "SELECT count(*) FROM t"), 10);
  EXPECT_EQ(Scalar(reader,
                   "SELECT count(*) FROM pragma_integrity_check WHERE "
                   "integrity_check = 'ok'"),
            1);
  sqlite3_close(reader);
}

TEST_F(WalVfsTest, DeferringNeedsAConnectionOpenedThroughTheVfs) {
  sqlite3* plain = Open(dir_.File("plain.db"), "unix");
  EXPECT_FALSE(DeferWalCommitSync(plain, true).ok());
  sqlite3_close(plain);
}

}  // namespace
}  // namespace thrad::test
