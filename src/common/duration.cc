#include "common/duration.h"

#include <limits>
#include <string>

namespace thrad {
namespace {

constexpr int64_t kMicrosPerMilli = 1000;
constexpr int64_t kMicrosPerSecond = 1000 * kMicrosPerMilli;

// Microseconds in one `unit`, or 0 when the unit is unknown.
int64_t UnitMicros(std::string_view unit) {
  if (unit == "ms") return kMicrosPerMilli;
  if (unit == "s") return kMicrosPerSecond;
  if (unit == "m") return 60 * kMicrosPerSecond;
  if (unit == "h") return 3600 * kMicrosPerSecond;
  if (unit == "d") return 86400 * kMicrosPerSecond;
  if (unit == "w") return 7 * 86400 * kMicrosPerSecond;
  return 0;
}

Status Bad(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("bad duration '" + std::string(text) + "': " + std::string(why) +
                                 " (examples: 30d, 12h, 90m, 45s, 1500ms, 1h30m)");
}

}  // namespace

Result<int64_t> ParseDurationMicros(std::string_view text) {
  if (text.empty()) return Bad(text, "empty");
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t digits_start = i;
    int64_t number = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (number > (kMax - 9) / 10) return Bad(text, "too large");
      number = number * 10 + (text[i] - '0');
      ++i;
    }
    if (i == digits_start) return Bad(text, "expected a number");
    const size_t unit_start = i;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) return Bad(text, "missing unit");
    const int64_t per = UnitMicros(unit);
    if (per == 0) return Bad(text, "unknown unit '" + std::string(unit) + "'");
    if (number > (kMax - total) / per) return Bad(text, "too large");
    total += number * per;
  }
  return total;
}

}  // namespace thrad
