#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/field_error.h"
#include "api/report_query.h"

namespace thrad {

// The query of GET /v1/api/diagnostics (REPORTS.md section 5): `hours` 1-168 (default 24) and,
// as every report route, `partner` (admin keys). Parsed without I/O; every problem is a 422 at
// ["query", NAME], all of them listed.

inline constexpr int kDefaultDiagnosticsHours = 24;
inline constexpr int kMaxDiagnosticsHours = 168;

struct DiagnosticsQuery {
  int hours = kDefaultDiagnosticsHours;
  std::optional<std::string> partner_id;  // nullopt: every partner (admin without `partner`)
};

Parsed<DiagnosticsQuery> ParseDiagnosticsQuery(std::string_view query, const ReportCaller& caller);

}  // namespace thrad
