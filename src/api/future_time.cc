#include "api/future_time.h"

#include <array>
#include <utility>

namespace thrad {
namespace {

// A value that, read in another unit, is a time since 2000 (and not too far ahead) is taken to
// be in that unit; read in seconds, such values are centuries ahead.
constexpr int64_t kPlausibleSince = 946'684'800;  // 2000-01-01T00:00:00Z

}  // namespace

std::optional<FieldError> FutureUnixSecondsError(std::string_view field, int64_t unix_seconds,
                                                 UnixMicros now) {
  const int64_t latest = now / 1'000'000 + kMaxFutureSeconds;
  if (unix_seconds <= latest) return std::nullopt;
  static constexpr std::array<std::pair<int64_t, std::string_view>, 3> kUnits{{
      {1'000, "milliseconds"},
      {1'000'000, "microseconds"},
      {1'000'000'000, "nanoseconds"},
  }};
  for (const auto& [per_second, unit] : kUnits) {
    const int64_t in_seconds = unix_seconds / per_second;
    if (in_seconds >= kPlausibleSince && in_seconds <= latest) {
      return TimestampInFutureError(BodyLoc(field), unit);
    }
  }
  return TimestampInFutureError(BodyLoc(field), {});
}

std::optional<FieldError> FutureTimeError(std::string_view field, UnixMicros t, UnixMicros now) {
  if (t <= now + kMaxFutureSeconds * 1'000'000) return std::nullopt;
  return TimestampInFutureError(BodyLoc(field), {});
}

}  // namespace thrad
