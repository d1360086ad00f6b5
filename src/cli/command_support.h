#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/records.h"

namespace thrad {

// Prints "error: <message>" to stderr and ends the running subcommand with `exit_code`
// (by throwing CLI::RuntimeError, which RunApp turns into the exit code silently). Only for
// CLI callbacks, never on the request path.
[[noreturn]] void FailCommand(std::string_view message, int exit_code = 1);
[[noreturn]] void FailCommand(const Status& status, int exit_code = 1);

// Writes `value` serialized on one line to stdout, followed by '\n'.
void PrintJsonLine(const boost::json::value& value);

// RFC 3339 text of `t`, or JSON null when absent.
boost::json::value JsonTime(std::optional<UnixMicros> t);
// JSON string, or null when absent.
boost::json::value JsonString(const std::optional<std::string>& s);

// Prints `rows` (the first is the header) as left-aligned columns two spaces apart.
void PrintTable(const std::vector<std::vector<std::string>>& rows);

// Parses an RFC 3339 / ISO-8601 date-time flag value; FailCommand (exit 1) naming `flag`
// when it is not one.
UnixMicros ParseTimeFlagOrFail(std::string_view flag, std::string_view text);

// Fails (exit 1) when a required text flag is blank, or longer than `max_chars` bytes, or
// holds control characters.
void CheckTextFlagOrFail(std::string_view flag, std::string_view value, size_t max_chars = 256);

}  // namespace thrad
