#pragma once

#include <vector>

#include "store/postgres/pg_query.h"
#include "store/rollup.h"

namespace thrad {

// The upserts that add `delta` to the rollup tables (schema/postgres/006_rollups.sql): one
// statement per table that has groups (events, their days, clicks, their days, conversions,
// their days: the lock order), each carrying its groups in array parameters in key order, so
// every writer of rollup rows locks them in the same order. The rollup folder sends them;
// `clicks add` and the migrations write the rollups directly.
std::vector<PgQuery> UpsertRollupQueries(const RollupDelta& delta);

// The inserts that append `delta`'s quarter-hour groups to the pending tables
// (schema/postgres/009_rollup_pending.sql): one statement per kind that has groups, no key, so
// no probe and no row lock. What a write transaction sends before COMMIT; the rollup folder
// (PostgresStore::FoldPendingRollups) later moves them into the rollups with
// UpsertRollupQueries.
std::vector<PgQuery> PendingRollupQueries(const RollupDelta& delta);

}  // namespace thrad
