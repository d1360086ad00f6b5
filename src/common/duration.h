#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace thrad {

// Parses a duration such as "30d", "12h", "90m", "45s", "1500ms", "2w" or a sum of them
// ("1h30m"): digits followed by a unit (ms, s, m, h, d, w), repeated. Returns microseconds.
// InvalidArgument for anything else (no unit, unknown unit, empty, overflow).
Result<int64_t> ParseDurationMicros(std::string_view text);

}  // namespace thrad
