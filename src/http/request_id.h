#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace thrad {

// True for 1-128 characters of [A-Za-z0-9._:-] (spec section 1).
bool IsValidRequestId(std::string_view id);

// The client's X-Request-Id when valid, else a new unique id ("req_" + 24 hex digits:
// a random per-process prefix and a counter, so generating one costs no syscall).
std::string ResolveRequestId(std::optional<std::string_view> client_value);

}  // namespace thrad
