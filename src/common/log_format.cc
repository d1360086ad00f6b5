#include "common/log_format.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <string>

namespace thrad {
namespace {

// The part up to the second is formatted once a second per thread (gmtime_r and the chrono
// formatting cost more than the rest of a line).
class TimestampCache {
 public:
  std::string_view Format(std::chrono::system_clock::time_point t) {
    const auto since_epoch = t.time_since_epoch();
    const auto secs = std::chrono::floor<std::chrono::seconds>(since_epoch);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs);
    if (secs.count() != second_ || prefix_size_ == 0) {
      const std::time_t tt = static_cast<std::time_t>(secs.count());
      std::tm tm{};
      gmtime_r(&tt, &tm);
      const auto result = fmt::format_to_n(buf_, kMaxPrefix, "{:%Y-%m-%dT%H:%M:%S}", tm);
      prefix_size_ = std::min(result.size, kMaxPrefix);
      second_ = secs.count();
    }
    const auto ms = static_cast<unsigned>(millis.count());  // 0-999
    char* p = buf_ + prefix_size_;
    p[0] = '.';
    p[1] = static_cast<char>('0' + ms / 100);
    p[2] = static_cast<char>('0' + ms / 10 % 10);
    p[3] = static_cast<char>('0' + ms % 10);
    p[4] = 'Z';
    return std::string_view(buf_, prefix_size_ + 5);
  }

 private:
  static constexpr size_t kMaxPrefix = 32;
  char buf_[kMaxPrefix + 5];
  size_t prefix_size_ = 0;
  std::chrono::seconds::rep second_ = 0;
};

}  // namespace

Result<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == LogFormatName(LogFormat::kJson)) return LogFormat::kJson;
  if (text == LogFormatName(LogFormat::kText)) return LogFormat::kText;
  return Status::InvalidArgument("log format must be json or text, got '" + std::string(text) +
                                 "'");
}

std::string_view LogFormatName(LogFormat format) {
  return format == LogFormat::kText ? "text" : "json";
}

std::string_view FormatTimestamp(std::chrono::system_clock::time_point t) {
  thread_local TimestampCache cache;
  return cache.Format(t);
}

}  // namespace thrad
