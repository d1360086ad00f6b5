#pragma once

#include <span>

#include "common/status.h"
#include "model/records.h"
#include "store/sql_migration.h"

namespace thrad {

class PgConn;

// The migrations compiled into this binary from schema/postgres/*.sql, ascending by version.
// Defined in a source file generated at build time (cmake/embed_sql.cmake).
std::span<const SqlMigration> EmbeddedPostgresMigrations();

// Brings the database behind `conn` up to the newest of `migrations` (ascending by version).
// Each missing migration runs in its own transaction together with its schema_migrations row,
// so a failing one leaves nothing behind and a second run is a no-op. Every schema change holds
// a transaction-scoped advisory lock (pg_advisory_xact_lock), so servers starting at once
// serialize: the first applies, the others then see the version recorded and skip it. When
// everything is applied already, nothing is locked. `now` stamps applied_at.
Status MigratePostgres(PgConn& conn, std::span<const SqlMigration> migrations, UnixMicros now);

}  // namespace thrad
