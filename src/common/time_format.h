#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace thrad {

// Parses a strict ISO-8601 date-time into Unix microseconds (UTC):
//
//   YYYY-MM-DD(T|t| )HH:MM:SS[.fraction][Z|z|+HH:MM|-HH:MM]
//
// - Years 0001-9999; month and day are checked against the calendar (leap years included);
//   hours 00-23, minutes and seconds 00-59 (no leap second); every field has exactly two
//   digits (four for the year).
// - The fraction has one or more digits; digits past microseconds are truncated.
// - Without an offset the time is UTC. An offset is at most 23:59 and must have the colon.
// - Lowercase 't' and 'z' are accepted, as RFC 3339 section 5.6 allows.
// Nothing else is accepted: no surrounding whitespace, no week or ordinal dates, no comma
// fraction, no date-only or time-only forms. An error is InvalidArgument with a short
// lowercase reason such as "invalid month" (meant to follow "Input should be a valid datetime,
// ").
Result<int64_t> ParseIsoDateTime(std::string_view text);

// RFC 3339 text of a Unix-microsecond instant in UTC: "2026-02-19T18:00:00Z", with six
// fraction digits ("2026-02-19T18:00:00.250000Z") only when the instant is not a whole second.
// ParseIsoDateTime(FormatRfc3339(t)) == t for every t in years 0001-9999.
std::string FormatRfc3339(int64_t unix_micros);

}  // namespace thrad
