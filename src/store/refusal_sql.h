#pragma once

#include <string>

#include "store/report_store.h"

namespace thrad {

// The read of GET /v1/api/diagnostics (REPORTS.md section 5), shared by both stores: the counts
// summed over buckets (and partners), and the newest samples. Parameters: $1 / ?1 the first
// bucket (counts) or the first instant (samples), $2 / ?2 the partner when there is one; the
// samples' statement also takes the limit, last.
std::string RefusalCountsSql(const RefusalQuery& q, bool postgres);
std::string RefusalSamplesSql(const RefusalQuery& q, bool postgres);

}  // namespace thrad
