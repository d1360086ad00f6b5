#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <variant>

#include "common/clock.h"
#include "store/sqlite/file_sync.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_rollups.h"
#include "store/sqlite/sqlite_spans.h"
#include "store/sqlite/wal_vfs.h"

namespace thrad {
namespace {

// Creates the parent directories and the database file (mode 0600) unless it exists.
Status CreateDatabaseFile(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return Status::IoError("create directory " + parent.string() + ": " + ec.message());
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("open " + path + ": " + std::strerror(errno));
  ::close(fd);
  return Status::Ok();
}

}  // namespace

SqliteStore::SqliteStore(std::string path, SqliteStoreOptions options)
    : path_(std::move(path)), options_(options) {}

SqliteStore::~SqliteStore() {
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       SqliteStoreOptions options) {
  THRAD_RETURN_IF_ERROR(CreateDatabaseFile(path));
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, options));
  for (std::unique_ptr<SqliteDb>* conn : {&store->writer_, &store->reader_, &store->admin_}) {
    Result<std::unique_ptr<SqliteDb>> db = store->Connect();
    if (!db.ok()) return db.status();
    *conn = std::move(db).value();
  }
  // The writer's statement journals (sub-journals) in memory. An op of several rows runs in a
  // savepoint, and a multi-row INSERT in a statement savepoint of its own; SQLite copies each
  // page they change into that journal, which past 64 KiB was a temporary file (/var/tmp/etilqs_*)
  // written with a pwrite per page: under batch collect, 3 times the bytes of the WAL itself
  // (docs/benchmarks.md, session 19). In memory it is emptied when the outermost savepoint is
  // released, so it holds at most one op's changed pages.
  THRAD_RETURN_IF_ERROR(store->writer_->Exec("PRAGMA temp_store = MEMORY"));
  return store;
}

Result<std::unique_ptr<SqliteDb>> SqliteStore::Connect() const {
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path_, /*create=*/false);
  if (!db.ok()) return db;
  SqliteDb& conn = **db;
  // busy_timeout first: switching to WAL may itself wait for another process's lock.
  THRAD_RETURN_IF_ERROR(
      conn.Exec("PRAGMA busy_timeout = " + std::to_string(options_.busy_timeout_ms)));
  {
    Result<SqliteStatement> mode = conn.Prepare("PRAGMA journal_mode = WAL");
    if (!mode.ok()) return mode.status();
    Result<bool> row = mode->Step();
    if (!row.ok()) return row.status();
    if (!*row || mode->Text(0) != "wal") {
      return Status::IoError("cannot switch " + path_ + " to WAL journal mode");
    }
  }
  // checkpoint_fullfsync: a checkpoint's syncs pass SQLITE_SYNC_FULL, a commit's
  // SQLITE_SYNC_NORMAL, so the WAL VFS can tell them apart (on Linux both are one fdatasync).
  THRAD_RETURN_IF_ERROR(conn.Exec(
      "PRAGMA synchronous = FULL; PRAGMA checkpoint_fullfsync = ON; PRAGMA foreign_keys = OFF"));
  return db;
}

Status SqliteStore::Migrate() {
  std::lock_guard lock(admin_mu_);
  return MigrateSqlite(*admin_, EmbeddedSqliteMigrations(), SystemClock::Instance().NowMicros());
}

Status SqliteStore::CheckWritable() {
  std::lock_guard lock(writer_mu_);
  THRAD_RETURN_IF_ERROR(SetWriterSync(true));
  return InWriteTransaction(*writer_, [&]() -> Status {
    Result<SqliteStatement> upsert = writer_->Prepare(
        "INSERT INTO health(id, checked_at) VALUES(1, ?) "
        "ON CONFLICT(id) DO UPDATE SET checked_at = excluded.checked_at");
    if (!upsert.ok()) return upsert.status();
    upsert->Bind(1, int64_t{SystemClock::Instance().NowMicros()});
    return upsert->Run();
  });
}

Status SqliteStore::SetWriterSync(bool full) {
  if (writer_full_sync_ == full) return Status::Ok();
  THRAD_RETURN_IF_ERROR(DeferWalCommitSync(writer_->raw(), !full));
  writer_full_sync_ = full;
  return Status::Ok();
}

Status SqliteStore::SyncCommitted() {
  std::lock_guard lock(wal_mu_);
  if (!wal_sync_failure_.ok()) return wal_sync_failure_;
  const std::string wal = path_ + "-wal";
  // Twice at most: the WAL may have been deleted and created anew since wal_fd_ was opened
  // (SQLite deletes it when the last connection to the database closes, after copying it
  // into the database file and syncing that); then the commits are in the new file.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (wal_fd_ < 0) {
      wal_fd_ = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
      if (wal_fd_ < 0) return Status::IoError("open " + wal + ": " + std::strerror(errno));
      Status dir = SyncDirectoryOf(path_);
      if (!dir.ok()) return wal_sync_failure_ = dir;
    }
    if (::fdatasync(wal_fd_) != 0) {
      wal_sync_failure_ = Status::IoError("fdatasync " + wal + ": " + std::strerror(errno));
      return wal_sync_failure_;
    }
    struct stat opened {};
    struct stat named {};
    if (::fstat(wal_fd_, &opened) == 0 && ::stat(wal.c_str(), &named) == 0 &&
        opened.st_dev == named.st_dev && opened.st_ino == named.st_ino) {
      return Status::Ok();
    }
    ::close(wal_fd_);
    wal_fd_ = -1;
  }
  return Status::IoError("the WAL file " + wal + " was replaced twice during one sync");
}

Status SqliteStore::CommitBatch(std::span<WriteOp* const> ops) {
  std::lock_guard lock(writer_mu_);
  return Commit(ops, /*sync=*/true);
}

Status SqliteStore::CommitBatchUnsynced(std::span<WriteOp* const> ops) {
  std::lock_guard lock(writer_mu_);
  return Commit(ops, /*sync=*/!options_.pipelined_sync);
}

Status SqliteStore::Commit(std::span<WriteOp* const> ops, bool sync) {
  SqliteDb& db = *writer_;
  if (!checkpointer_tried_) {
    checkpointer_tried_ = true;
    Result<std::unique_ptr<SqliteDb>> conn = Connect();
    // Without its connection the writer keeps SQLite's automatic checkpoint.
    if (conn.ok()) {
      checkpointer_ = std::make_unique<SqliteCheckpointer>(db.raw(), std::move(conn).value());
    }
  }
  Status st = SetWriterSync(sync);
  if (st.ok()) st = db.Run("BEGIN IMMEDIATE");
  // The events.id span this transaction stores goes into event_spans (sqlite_spans.h).
  const bool may_store_events = MayStoreEvents(ops);
  int64_t event_sequence = 0;
  if (st.ok() && may_store_events) {
    Result<int64_t> sequence = EventIdSequence(db);
    if (sequence.ok()) {
      event_sequence = *sequence;
    } else {
      st = sequence.status();
    }
  }
  // Clicks first, so that a conversion finds a click committed in the same batch.
  for (const bool clicks : {true, false}) {
    for (size_t i = 0; st.ok() && i < ops.size(); ++i) {
      if (std::holds_alternative<ClickWrite>(ops[i]->payload) == clicks) {
        st = ApplyInSavepoint(db, *ops[i]);
      }
    }
  }
  if (st.ok() && may_store_events) st = RecordEventSpan(db, ops, event_sequence);
  // The reports' counters of what this transaction stored, committed with it.
  if (st.ok()) {
    RollupDelta delta;
    AddStoredToRollups(ops, delta);
    st = UpsertRollups(db, delta);
  }
  if (st.ok()) st = db.Run("COMMIT");
  if (st.ok()) return st;

  if (db.InTransaction()) (void)db.Run("ROLLBACK");
  for (WriteOp* op : ops) {
    op->status = Status::Unavailable("batch not committed: " + st.ToString());
  }
  return st;
}

}  // namespace thrad
