#pragma once

#include <span>
#include <string_view>

#include "common/status.h"
#include "model/records.h"
#include "store/sql_migration.h"
#include "store/sqlite/sqlite_db.h"

namespace thrad {

// The migrations compiled into this binary from schema/sqlite/*.sql, ascending by version.
// Defined in a source file generated at build time (cmake/embed_sql.cmake).
std::span<const SqlMigration> EmbeddedSqliteMigrations();

// Brings `db` up to the newest of `migrations` (ascending by version): each missing one runs
// in its own BEGIN IMMEDIATE transaction together with its schema_migrations(version,
// applied_at) row, so a failing migration leaves nothing behind, a second run is a no-op,
// and two processes migrating at once serialize on the write lock (the loser sees the
// version already applied and skips it). `now` stamps applied_at.
Status MigrateSqlite(SqliteDb& db, std::span<const SqlMigration> migrations, UnixMicros now);

}  // namespace thrad
