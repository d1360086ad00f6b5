#include "cli/number_option.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

namespace thrad {
namespace {

// All of `text` as a T; false when it is not one (or does not fit).
template <typename T>
bool ParseAll(const std::string& text, T& out) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (first != last && *first == '+') ++first;  // "+5" is 5, as the shell would write it
  const std::from_chars_result r = std::from_chars(first, last, out);
  return first != last && r.ec == std::errc() && r.ptr == last;
}

}  // namespace

CLI::Validator WholeNumber(int64_t min, int64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        int64_t value = 0;
        if (ParseAll(text, value) && value >= min && value <= max) return {};
        return fmt::format("expected a whole number from {} to {}, got '{}'", min, max, text);
      },
      fmt::format("[{} - {}]", min, max));
}

CLI::Validator Number(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        double value = 0;
        if (ParseAll(text, value) && std::isfinite(value) && value >= min && value <= max) {
          return {};
        }
        return fmt::format("expected a number from {} to {}, got '{}'", min, max, text);
      },
      fmt::format("[{} - {}]", min, max));
}

}  // namespace thrad
