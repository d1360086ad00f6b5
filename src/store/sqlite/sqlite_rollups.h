#pragma once

#include "common/status.h"
#include "store/rollup.h"
#include "store/sqlite/sqlite_db.h"

namespace thrad {

// Adds `delta` to the rollup tables (schema/sqlite/008_rollups.sql): one upsert per group.
// Call inside the write transaction that stored the rows; an error means the transaction must
// not commit.
Status UpsertRollups(SqliteDb& db, const RollupDelta& delta);

}  // namespace thrad
