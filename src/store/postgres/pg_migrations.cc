#include "store/postgres/pg_migrations.h"

#include <set>
#include <string>

#include "store/postgres/pg_conn.h"

namespace thrad {
namespace {

// pg_advisory_xact_lock key for schema changes: "thrad" in ASCII (0x7468726164).
constexpr std::string_view kLockSql = "SELECT pg_advisory_xact_lock(499968532836)";

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version integer PRIMARY KEY, applied_at bigint NOT NULL)";

// The versions recorded in schema_migrations (none when the table does not exist yet).
Result<std::set<int>> AppliedVersions(PgConn& conn) {
  Result<PgResult> exists = conn.Exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists.ok()) return exists.status();
  std::set<int> versions;
  if (exists->Text(0, 0) != "t") return versions;
  Result<PgResult> rows = conn.Exec("SELECT version FROM schema_migrations");
  if (!rows.ok()) return rows.status();
  for (int i = 0; i < rows->Rows(); ++i) versions.insert(static_cast<int>(rows->Int64(i, 0)));
  return versions;
}

// Runs `body` in a transaction that holds the migration lock; rolls back on failure.
template <typename Body>
Status Locked(PgConn& conn, Body&& body) {
  THRAD_RETURN_IF_ERROR(conn.ExecScript("BEGIN"));
  Status st = conn.ExecScript(std::string(kLockSql));
  if (st.ok()) st = body();
  if (st.ok()) {
    Result<PgResult> commit = conn.Exec("COMMIT");
    st = commit.status();
    if (st.ok() && commit->CommandTag() != "COMMIT") st = Status::Internal("COMMIT rolled back");
  }
  if (!st.ok() && conn.Usable() && conn.InTransaction()) (void)conn.ExecScript("ROLLBACK");
  return st;
}

Status ApplyOne(PgConn& conn, const SqlMigration& m, UnixMicros now) {
  return Locked(conn, [&]() -> Status {
    // Checked under the lock: another server may have applied it meanwhile.
    Result<PgResult> applied = conn.Exec("SELECT 1 FROM schema_migrations WHERE version = $1",
                                         {std::to_string(m.version)});
    if (!applied.ok()) return applied.status();
    if (applied->Rows() > 0) return Status::Ok();
    Status st = conn.ExecScript(std::string(m.sql));
    if (!st.ok()) {
      return Status(st.code(), "migration " + std::string(m.name) + ": " + st.message());
    }
    return conn
        .Exec("INSERT INTO schema_migrations(version, applied_at) VALUES($1, $2)",
              {std::to_string(m.version), std::to_string(now)})
        .status();
  });
}

}  // namespace

Status MigratePostgres(PgConn& conn, std::span<const SqlMigration> migrations, UnixMicros now) {
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version <= migrations[i - 1].version) {
      return Status::Internal("migrations out of order at " + std::string(migrations[i].name));
    }
  }
  Result<std::set<int>> applied = AppliedVersions(conn);
  if (!applied.ok()) return applied.status();
  bool missing = false;
  for (const SqlMigration& m : migrations) missing = missing || !applied->contains(m.version);
  if (!missing) return Status::Ok();

  THRAD_RETURN_IF_ERROR(
      Locked(conn, [&] { return conn.ExecScript(std::string(kCreateVersionTable)); }));
  for (const SqlMigration& m : migrations) {
    if (!applied->contains(m.version)) THRAD_RETURN_IF_ERROR(ApplyOne(conn, m, now));
  }
  return Status::Ok();
}

}  // namespace thrad
