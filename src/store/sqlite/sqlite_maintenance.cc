// SqliteStore: retention deletes (events, conversions, clicks) and online backup.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/random.h"
#include "store/sqlite/file_sync.h"
#include "store/sqlite/sqlite_clicks.h"
#include "store/sqlite/sqlite_spans.h"
#include "store/sqlite/sqlite_store.h"

namespace thrad {
namespace {

// How often, and how long at most, a backup retries while the source is locked (only a
// schema change or a checkpoint in TRUNCATE mode can lock a WAL reader out).
constexpr int kBackupBusyRetries = 100;
constexpr std::chrono::milliseconds kBackupBusySleep{50};

// Copies the whole database behind `src` into the empty database file `dest_path`.
Status CopyInto(sqlite3* src, const std::string& dest_path) {
  Result<std::unique_ptr<SqliteDb>> dest = SqliteDb::Open(dest_path, /*create=*/false);
  if (!dest.ok()) return dest.status();
  sqlite3* out = (*dest)->raw();
  sqlite3_backup* backup = sqlite3_backup_init(out, "main", src, "main");
  if (backup == nullptr) {
    return SqliteError(sqlite3_extended_errcode(out), "backup init", out);
  }
  // All pages in one step: one read snapshot, so the copy is consistent; in WAL mode the
  // server's writer goes on committing meanwhile.
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt <= kBackupBusyRetries; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(kBackupBusySleep);
  }
  const int finish_rc = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return SqliteError(rc, "backup step");
  if (finish_rc != SQLITE_OK) return SqliteError(finish_rc, "backup finish", out);

  // A backup is one self-contained file: no -wal beside it.
  {
    Result<SqliteStatement> mode = (*dest)->Prepare("PRAGMA journal_mode = DELETE");
    if (!mode.ok()) return mode.status();
    Result<bool> row = mode->Step();
    if (!row.ok()) return row.status();
  }
  Result<SqliteStatement> check = (*dest)->Prepare("PRAGMA quick_check");
  if (!check.ok()) return check.status();
  Result<bool> row = check->Step();
  if (!row.ok()) return row.status();
  if (!*row || check->Text(0) != "ok") {
    return Status::Corruption("backup failed its integrity check: " +
                              (*row ? check->Text(0) : std::string("no answer")));
  }
  return Status::Ok();
}

}  // namespace

Result<SqliteDb*> SqliteStore::MaintenanceDb() {
  if (maintenance_ == nullptr) {
    Result<std::unique_ptr<SqliteDb>> db = Connect();
    if (!db.ok()) return db.status();
    maintenance_ = std::move(db).value();
  }
  return maintenance_.get();
}

Result<uint64_t> SqliteStore::DeleteOlderThan(Table table, UnixMicros cutoff, size_t max_rows) {
  if (max_rows == 0) return Status::InvalidArgument("max_rows must be positive");
  std::lock_guard lock(maintenance_mu_);
  Result<SqliteDb*> conn = MaintenanceDb();
  if (!conn.ok()) return conn.status();
  SqliteDb& db = **conn;
  // One short write transaction. Conversions: the oldest first, through their received_at
  // index. Events have no such index: the lowest ids first, bounded through event_spans
  // (sqlite_spans.h); then the spans that cover no row any more go too.
  const std::string_view sql =
      table == Table::kEvents
          ? kDeleteEventsReceivedBefore
          : "DELETE FROM conversions WHERE id IN "
            "(SELECT id FROM conversions WHERE received_at < ?1 ORDER BY received_at LIMIT ?2)";
  uint64_t deleted = 0;
  Status st = InWriteTransaction(db, [&]() -> Status {
    Result<SqliteStatement> del = db.Prepare(sql);
    if (!del.ok()) return del.status();
    del->Bind(1, int64_t{cutoff});
    del->Bind(2, static_cast<int64_t>(max_rows));
    THRAD_RETURN_IF_ERROR(del->Run());
    deleted = static_cast<uint64_t>(db.Changes());
    return table == Table::kEvents ? db.Run(kDropUncoveredSpans) : Status::Ok();
  });
  if (!st.ok()) return st;
  return deleted;
}

Result<uint64_t> SqliteStore::DeleteExpiredClicks(UnixMicros cutoff, UnixMicros now,
                                                  size_t max_rows) {
  if (max_rows == 0) return Status::InvalidArgument("max_rows must be positive");
  std::lock_guard lock(maintenance_mu_);
  Result<SqliteDb*> conn = MaintenanceDb();
  if (!conn.ok()) return conn.status();
  SqliteDb& db = **conn;
  const int64_t now_seconds = UnixSecondOf(now);
  // The search reads clicks_clicked_at (clicked_at, exp) oldest first, in a read snapshot of its
  // own: the clicks that must be kept, however many, are passed over without the write lock.
  std::vector<int64_t> expired;  // rowids
  {
    Result<SqliteStatement> find = db.Prepare(kFindExpiredClicks);
    if (!find.ok()) return find.status();
    find->Bind(1, int64_t{cutoff});
    find->Bind(2, now_seconds);
    find->Bind(3, static_cast<int64_t>(max_rows));
    while (true) {
      Result<bool> row = find->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      expired.push_back(find->Int64(0));
    }
  }
  if (expired.empty()) return uint64_t{0};
  // Then one short write transaction deletes them by rowid, checking the rule again.
  uint64_t deleted = 0;
  Status st = InWriteTransaction(db, [&]() -> Status {
    Result<SqliteStatement> del = db.Prepare(kDeleteExpiredClick);
    if (!del.ok()) return del.status();
    for (const int64_t rowid : expired) {
      del->Reset();
      del->Bind(1, int64_t{cutoff});
      del->Bind(2, now_seconds);
      del->Bind(3, rowid);
      THRAD_RETURN_IF_ERROR(del->Run());
      deleted += static_cast<uint64_t>(db.Changes());
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return deleted;
}

Result<uint64_t> SqliteStore::CountOlderThan(Table table, UnixMicros cutoff) {
  std::lock_guard lock(maintenance_mu_);
  Result<SqliteDb*> db = MaintenanceDb();
  if (!db.ok()) return db.status();
  Result<SqliteStatement> count = (*db)->Prepare(
      table == Table::kEvents ? kCountEventsReceivedBefore
                              : "SELECT count(*) FROM conversions WHERE received_at < ?1");
  if (!count.ok()) return count.status();
  count->Bind(1, int64_t{cutoff});
  Result<bool> row = count->Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<uint64_t>(count->Int64(0)) : uint64_t{0};
}

Result<uint64_t> SqliteStore::CountExpiredClicks(UnixMicros cutoff, UnixMicros now) {
  std::lock_guard lock(maintenance_mu_);
  Result<SqliteDb*> db = MaintenanceDb();
  if (!db.ok()) return db.status();
  Result<SqliteStatement> count = (*db)->Prepare(kCountExpiredClicks);
  if (!count.ok()) return count.status();
  count->Bind(1, int64_t{cutoff});
  count->Bind(2, UnixSecondOf(now));
  Result<bool> row = count->Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<uint64_t>(count->Int64(0)) : uint64_t{0};
}

Status SqliteStore::Backup(const std::string& dest_path) {
  if (dest_path.empty()) return Status::InvalidArgument("backup path must not be empty");
  std::error_code ec;
  if (std::filesystem::exists(dest_path, ec)) {
    return Status::AlreadyExists(dest_path + " exists; choose a new backup path");
  }
  const std::string tmp = dest_path + ".tmp-" + RandomHex(8);
  {
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::IoError("create " + tmp + ": " + std::strerror(errno));
    ::close(fd);
  }
  auto cleanup = [&tmp] {
    std::error_code ignored;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      std::filesystem::remove(tmp + suffix, ignored);
    }
  };

  // The source: a connection of its own, so the server's connections are untouched.
  Result<std::unique_ptr<SqliteDb>> src = Connect();
  if (!src.ok()) {
    cleanup();
    return src.status();
  }
  Status st = CopyInto((*src)->raw(), tmp);
  src->reset();
  if (st.ok()) st = SyncPath(tmp, O_RDONLY);
  if (st.ok()) {
    // link() never replaces a file that appeared meanwhile; file systems without hard
    // links get a rename instead.
    if (::link(tmp.c_str(), dest_path.c_str()) != 0) {
      const int err = errno;
      if (err == EEXIST) {
        st = Status::AlreadyExists(dest_path + " exists");
      } else if ((err != EPERM && err != EOPNOTSUPP) ||
                 ::rename(tmp.c_str(), dest_path.c_str()) != 0) {
        st = Status::IoError("link " + dest_path + ": " + std::strerror(err));
      }
    }
  }
  cleanup();
  if (!st.ok()) return st;
  return SyncDirectoryOf(dest_path);
}

}  // namespace thrad
