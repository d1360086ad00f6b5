#include "cli/command_support.h"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cstdio>

#include "common/json_numbers.h"
#include "common/time_format.h"

namespace thrad {

void FailCommand(std::string_view message, int exit_code) {
  std::fflush(stdout);
  fmt::print(stderr, "error: {}\n", message);
  std::fflush(stderr);
  throw CLI::RuntimeError(exit_code);
}

void FailCommand(const Status& status, int exit_code) { FailCommand(status.message(), exit_code); }

void PrintJsonLine(const boost::json::value& value) {
  std::string line = SerializeJson(value);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
}

boost::json::value JsonTime(std::optional<UnixMicros> t) {
  if (!t.has_value()) return nullptr;
  return boost::json::string(FormatRfc3339(*t));
}

boost::json::value JsonString(const std::optional<std::string>& s) {
  if (!s.has_value()) return nullptr;
  return boost::json::string(*s);
}

UnixMicros ParseTimeFlagOrFail(std::string_view flag, std::string_view text) {
  Result<int64_t> t = ParseIsoDateTime(text);
  if (!t.ok()) {
    FailCommand(
        fmt::format("{}: '{}' is not an RFC 3339 date-time ({}); example: "
                    "2026-01-31T23:59:59Z",
                    flag, text, t.status().message()));
  }
  return *t;
}

void CheckTextFlagOrFail(std::string_view flag, std::string_view value, size_t max_chars) {
  if (value.find_first_not_of(" \t") == std::string_view::npos) {
    FailCommand(fmt::format("{} must not be blank", flag));
  }
  if (value.size() > max_chars) {
    FailCommand(fmt::format("{} is longer than {} characters", flag, max_chars));
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f)
      FailCommand(fmt::format("{} must not hold control characters", flag));
  }
}

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
}

}  // namespace thrad
