#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace thrad {

// What a failed PostgreSQL command means to the store, by its SQLSTATE: connection failures,
// server shutdown/startup (57P0x), resource exhaustion (53xxx), serialization failures and
// deadlocks (40001, 40P01), lock and statement timeouts, and no SQLSTATE at all -> Unavailable;
// unique violations -> AlreadyExists; data errors (classes 22, 23, 54) -> InvalidArgument;
// anything else -> Internal. `message` becomes the Status's message.
Status PgErrorStatus(std::string_view sqlstate, std::string message);

// True for SQLSTATEs after which the same transaction may well succeed when run again:
// serialization failure (40001) and deadlock (40P01).
bool IsRetryableSqlState(std::string_view sqlstate);

// The first line of a libpq message (may be null), without its "ERROR:  " or "FATAL:  " and
// the trailing newline; "unknown error" when empty.
std::string PgFirstLine(const char* text);

}  // namespace thrad
