#include "store/postgres/pg_store.h"

#include <utility>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "store/postgres/pg_error.h"
#include "store/postgres/pg_migrations.h"

namespace thrad {
namespace {

// Session settings of the request-path connections: a statement that hangs (a lock held by a
// stuck session, a storage stall) fails the batch with a 503 instead of stalling every request.
constexpr char kWriterSetup[] = "SET statement_timeout = '30s'";
constexpr char kReaderSetup[] = "SET statement_timeout = '10s'";

// How often CommitBatch runs a batch again after a deadlock or serialization failure.
constexpr int kMaxAttempts = 3;

}  // namespace

PostgresStore::PostgresStore(const std::string& url)
    : url_(url),
      writer_(url, "writer", kWriterSetup),
      reader_(url, "reader", kReaderSetup),
      admin_(url, "admin"),
      reports_(url, "reports", kReaderSetup),
      folder_(url, "rollup folder", kWriterSetup),
      maintenance_(url, "maintenance") {}

PostgresStore::~PostgresStore() = default;

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url) {
  std::unique_ptr<PostgresStore> store(new PostgresStore(url));
  {
    std::lock_guard lock(store->admin_mu_);
    Result<PgConn*> conn = store->admin_.Get();
    if (!conn.ok()) return conn.status();
  }
  return store;
}

Result<PgResult> PostgresStore::Run(PgLink& link, const PgQuery& query, bool cached) {
  Result<PgConn*> conn = link.Get();
  if (!conn.ok()) return conn.status();
  Result<PgResult> res = cached ? (*conn)->ExecCached(query) : (*conn)->Exec(query);
  if (!res.ok()) link.AfterError();
  return res;
}

Status PostgresStore::Migrate() {
  std::lock_guard lock(admin_mu_);
  Result<PgConn*> conn = admin_.Get();
  if (!conn.ok()) return conn.status();
  Status st =
      MigratePostgres(**conn, EmbeddedPostgresMigrations(), SystemClock::Instance().NowMicros());
  if (!st.ok()) admin_.AfterError();
  return st;
}

Status PostgresStore::CheckWritable() {
  std::lock_guard lock(writer_mu_);
  return Run(writer_, {"INSERT INTO health(id, checked_at) VALUES(1, $1) "
                       "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
                       {std::to_string(SystemClock::Instance().NowMicros())}})
      .status();
}

Status PostgresStore::CommitBatch(std::span<WriteOp* const> ops) {
  std::lock_guard lock(writer_mu_);
  std::vector<WriteOp*> live;
  live.reserve(ops.size());
  for (WriteOp* op : ops) {
    op->status = Status::Ok();
    op->ResetOutcomes();
    live.push_back(op);
  }
  if (live.empty()) return Status::Ok();
  auto reset = [&live] {
    for (WriteOp* op : live) {
      op->status = Status::Ok();
      op->ResetOutcomes();
    }
  };

  Status st;
  for (int attempt = 1;; ++attempt) {
    Result<PgConn*> conn = writer_.Get();
    if (!conn.ok()) {
      st = conn.status();
      break;
    }
    st = WriteTogether(**conn, live);
    if (st.ok()) return st;
    const std::string sqlstate = (*conn)->last_sqlstate();
    const bool usable = (*conn)->Usable();
    writer_.AfterError();
    reset();
    if (!usable) break;
    if (IsRetryableSqlState(sqlstate) && attempt < kMaxAttempts) continue;
    if (st.code() == StatusCode::kUnavailable) break;
    // A statement failed on the data of some op: redo the batch op by op so it fails alone.
    conn = writer_.Get();
    if (!conn.ok()) break;
    st = WriteIsolated(**conn, live);
    if (st.ok()) return st;
    writer_.AfterError();
    break;
  }
  for (WriteOp* op : ops) {
    op->ResetOutcomes();
    op->status = Status::Unavailable("batch not committed: " + st.ToString());
  }
  return st;
}

Status PostgresStore::Backup(const std::string& dest_path) {
  (void)dest_path;
  return Status::InvalidArgument(
      "backup is for the SQLite store; back up PostgreSQL with its own tools: use pg_dump "
      "(or pg_basebackup / continuous archiving)");
}

}  // namespace thrad
