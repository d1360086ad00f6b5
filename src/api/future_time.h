#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "api/field_error.h"
#include "model/records.h"

namespace thrad {

// How far past the server's clock a client's time may lie: clock skew and a mishandled time
// zone pass, a time in milliseconds (1,000 times too large: the year 58,000) does not.
inline constexpr int64_t kMaxFutureSeconds = 86'400;

// timestamp_in_future at ["body", field] when `unix_seconds` (collect `timestamp`) is more than
// kMaxFutureSeconds after `now`; the message names milliseconds, microseconds or nanoseconds
// when the value read in that unit would not be in the future. nullopt when it is not too far.
std::optional<FieldError> FutureUnixSecondsError(std::string_view field, int64_t unix_seconds,
                                                 UnixMicros now);

// The same for a parsed date-time (conversion `conversion_time`), in microseconds.
std::optional<FieldError> FutureTimeError(std::string_view field, UnixMicros t, UnixMicros now);

}  // namespace thrad
