#pragma once

#include <span>
#include <vector>

#include "model/refusal.h"
#include "store/postgres/pg_query.h"

namespace thrad {

// The statements of the diagnostics flush ops of one batch (schema/postgres/007_refusals.sql),
// sent inside its write transaction: a transaction-scoped advisory lock (servers' flushes one
// at a time, so trimming leaves exactly the newest samples), the count upserts in key order,
// the samples, the trim of each touched partner's samples beyond the newest kRefusalSamplesKept
// and the drop of count rows older than kRefusalMaxHours. Empty when `writes` is.
std::vector<PgQuery> RefusalWriteQueries(std::span<const RefusalWrite* const> writes);

}  // namespace thrad
