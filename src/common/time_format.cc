#include "common/time_format.h"

#include <chrono>
#include <cstdio>

namespace thrad {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads `width` ASCII digits at `pos`; false when any of them is not a digit or missing.
bool ReadDigits(std::string_view text, size_t pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (!IsDigit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

bool CharAt(std::string_view text, size_t pos, char c) {
  return pos < text.size() && text[pos] == c;
}

Status Invalid(const char* reason) { return Status::InvalidArgument(reason); }

}  // namespace

Result<int64_t> ParseIsoDateTime(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, 0, 4, year) || !CharAt(text, 4, '-') || !ReadDigits(text, 5, 2, month) ||
      !CharAt(text, 7, '-') || !ReadDigits(text, 8, 2, day)) {
    return Invalid("expected a date YYYY-MM-DD");
  }
  if (year < 1) return Invalid("year must be 0001-9999");
  if (month < 1 || month > 12) return Invalid("invalid month");
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return Invalid("invalid day for the month");

  if (text.size() <= 10 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) {
    return Invalid("expected 'T' or a space between date and time");
  }
  if (!ReadDigits(text, 11, 2, hour) || !CharAt(text, 13, ':') ||
      !ReadDigits(text, 14, 2, minute) || !CharAt(text, 16, ':') ||
      !ReadDigits(text, 17, 2, second)) {
    return Invalid("expected a time HH:MM:SS");
  }
  if (hour > 23) return Invalid("invalid hour");
  if (minute > 59) return Invalid("invalid minute");
  if (second > 59) return Invalid("invalid second");

  size_t pos = 19;
  int64_t micros = 0;
  if (CharAt(text, pos, '.')) {
    ++pos;
    const size_t start = pos;
    int64_t scale = kMicrosPerSecond / 10;
    while (pos < text.size() && IsDigit(text[pos])) {
      micros += (text[pos] - '0') * scale;  // digits past microseconds have scale 0
      scale /= 10;
      ++pos;
    }
    if (pos == start) return Invalid("expected digits after '.'");
  }

  int offset_minutes = 0;
  if (pos < text.size()) {
    const char c = text[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      int offset_hours = 0, offset_mins = 0;
      if (!ReadDigits(text, pos + 1, 2, offset_hours) || !CharAt(text, pos + 3, ':') ||
          !ReadDigits(text, pos + 4, 2, offset_mins)) {
        return Invalid("expected a UTC offset +HH:MM or -HH:MM");
      }
      if (offset_hours > 23 || offset_mins > 59) return Invalid("invalid UTC offset");
      offset_minutes = (offset_hours * 60 + offset_mins) * (c == '-' ? -1 : 1);
      pos += 6;
    } else {
      return Invalid("expected 'Z', a UTC offset or the end of the text");
    }
  }
  if (pos != text.size()) return Invalid("unexpected text after the date-time");

  const int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  const int64_t seconds_of_day = hour * 3600 + minute * 60 + second;
  return days * kMicrosPerDay + seconds_of_day * kMicrosPerSecond + micros -
         int64_t{offset_minutes} * 60 * kMicrosPerSecond;
}

std::string FormatRfc3339(int64_t unix_micros) {
  // Floor division, so instants before 1970 land on the right day.
  int64_t days = unix_micros / kMicrosPerDay;
  int64_t rest = unix_micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  const std::chrono::year_month_day date{
      std::chrono::sys_days{std::chrono::days{static_cast<int>(days)}}};
  const int64_t seconds = rest / kMicrosPerSecond;
  const int64_t fraction = rest % kMicrosPerSecond;
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d",
                        static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                        static_cast<unsigned>(date.day()), static_cast<int>(seconds / 3600),
                        static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  if (fraction != 0) {
    n += std::snprintf(buf + n, sizeof(buf) - n, ".%06d", static_cast<int>(fraction));
  }
  std::string out(buf, n);
  out += 'Z';
  return out;
}

}  // namespace thrad
