#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "common/clock.h"
#include "store/sqlite/sqlite_migrations.h"

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

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       SqliteStoreOptions options) {
  THRAD_RETURN_IF_ERROR(CreateDatabaseFile(path));
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, options));
  for (std::unique_ptr<SqliteDb>* conn : {&store->writer_, &store->reader_, &store->admin_}) {
    Result<std::unique_ptr<SqliteDb>> db = store->Connect();
    if (!db.ok()) return db.status();
    *conn = std::move(db).value();
  }
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
  THRAD_RETURN_IF_ERROR(conn.Exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF"));
  return db;
}

Status SqliteStore::Migrate() {
  std::lock_guard lock(admin_mu_);
  return MigrateSqlite(*admin_, EmbeddedSqliteMigrations(), SystemClock::Instance().NowMicros());
}

Status SqliteStore::CheckWritable() {
  std::lock_guard lock(writer_mu_);
  return InWriteTransaction(*writer_, [&]() -> Status {
    Result<SqliteStatement> upsert = writer_->Prepare(
        "INSERT INTO health(id, checked_at) VALUES(1, ?) "
        "ON CONFLICT(id) DO UPDATE SET checked_at = excluded.checked_at");
    if (!upsert.ok()) return upsert.status();
    upsert->Bind(1, int64_t{SystemClock::Instance().NowMicros()});
    return upsert->Run();
  });
}

Status SqliteStore::CommitBatch(std::span<WriteOp* const> ops) {
  std::lock_guard lock(writer_mu_);
  SqliteDb& db = *writer_;
  if (!checkpointer_tried_) {
    checkpointer_tried_ = true;
    Result<std::unique_ptr<SqliteDb>> conn = Connect();
    // Without its connection the writer keeps SQLite's automatic checkpoint.
    if (conn.ok()) {
      checkpointer_ = std::make_unique<SqliteCheckpointer>(db.raw(), std::move(conn).value());
    }
  }
  Status st = db.Run("BEGIN IMMEDIATE");
  for (size_t i = 0; st.ok() && i < ops.size(); ++i) st = ApplyInSavepoint(db, *ops[i]);
  if (st.ok()) st = db.Run("COMMIT");
  if (st.ok()) return st;

  if (db.InTransaction()) (void)db.Run("ROLLBACK");
  for (WriteOp* op : ops) {
    op->status = Status::Unavailable("batch not committed: " + st.ToString());
  }
  return st;
}

}  // namespace thrad
