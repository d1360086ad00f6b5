#include "store/sqlite/sqlite_migrations.h"

#include <string>

namespace thrad {
namespace {

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)";

Status ApplyOne(SqliteDb& db, const SqlMigration& m, UnixMicros now) {
  return InWriteTransaction(db, [&]() -> Status {
    // Checked inside the write transaction: another process may have applied it meanwhile.
    auto check = db.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
    if (!check.ok()) return check.status();
    check->Bind(1, int64_t{m.version});
    Result<bool> applied = check->Step();
    if (!applied.ok()) return applied.status();
    if (*applied) return Status::Ok();
    check->Reset();

    Status st = db.Exec(m.sql);
    if (!st.ok()) {
      return Status(st.code(), "migration " + std::string(m.name) + ": " + st.message());
    }
    auto record = db.Prepare("INSERT INTO schema_migrations(version, applied_at) VALUES(?, ?)");
    if (!record.ok()) return record.status();
    record->Bind(1, int64_t{m.version});
    record->Bind(2, int64_t{now});
    return record->Run();
  });
}

}  // namespace

Status MigrateSqlite(SqliteDb& db, std::span<const SqlMigration> migrations, UnixMicros now) {
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version <= migrations[i - 1].version) {
      return Status::Internal("migrations out of order at " + std::string(migrations[i].name));
    }
  }
  THRAD_RETURN_IF_ERROR(InWriteTransaction(db, [&] { return db.Exec(kCreateVersionTable); }));
  for (const SqlMigration& m : migrations) THRAD_RETURN_IF_ERROR(ApplyOne(db, m, now));
  return Status::Ok();
}

}  // namespace thrad
