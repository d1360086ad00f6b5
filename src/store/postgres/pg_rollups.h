#pragma once

#include <vector>

#include "store/postgres/pg_query.h"
#include "store/rollup.h"

namespace thrad {

// The upserts that add `delta` to the rollup tables (schema/postgres/006_rollups.sql): one
// statement per table that has groups (events, their days, clicks, their days, conversions,
// their days: the lock order), each
// carrying its groups in array parameters in key order, so every server locks rollup rows in
// the same order. Send them inside the write transaction that stored the rows, before COMMIT.
std::vector<PgQuery> UpsertRollupQueries(const RollupDelta& delta);

}  // namespace thrad
