#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spdlog {
namespace level {
enum level_enum : int;
}  // namespace level
namespace details {
class thread_pool;
}  // namespace details
namespace sinks {
class sink;
}  // namespace sinks
}  // namespace spdlog

namespace thrad {

class LogFlusher;

enum class LogFormat { kJson, kText };

struct LoggingOptions {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
  LogFormat format = LogFormat::kJson;
  bool access_log = true;  // one line per request, at level info
  // Lines waiting for output (access lines: this many times kAccessLineBytes bytes); past it
  // new access lines are dropped (and counted) rather than making a request wait for a slow
  // stdout.
  size_t queue_size = 8192;
  // Where every line goes; null: stdout. Not owned; the default logger still writes to it after
  // the Logging is gone, until it is replaced (tests inject a file).
  std::FILE* output = nullptr;
};

// The access log's buffer holds queue_size times this many bytes (a line is ~300).
inline constexpr size_t kAccessLineBytes = 512;

// Parses "json" or "text".
Result<LogFormat> ParseLogFormat(std::string_view text);

// What one access-log line says about one request. Never holds an API key: only its id.
struct AccessLogEntry {
  std::string_view request_id;
  std::string_view method;  // GET, HEAD, POST or OTHER (bounded, never the raw verb)
  std::string_view route;   // the bounded route label of the metrics ("unknown" for 404s)
  unsigned status = 0;
  std::chrono::nanoseconds duration{0};  // from the request's first byte to its response
  std::string_view partner_id;           // empty: not authenticated
  std::string_view key_id;               // empty: not authenticated
  std::string_view peer_ip;
  uint64_t bytes_in = 0;   // request body bytes
  uint64_t bytes_out = 0;  // response body bytes
};

// The fields of an access line, without timestamp and level (AccessLog::Write adds them):
// `"request_id":"…","method":"POST",…` for JSON, `request_id=… method=POST …` for text.
// Pure; exposed for tests.
std::string FormatAccessFields(const AccessLogEntry& entry, LogFormat format);

// The access log (see Logging). Write formats the whole line on the caller's thread and
// appends it to a bounded buffer that a flusher thread writes out; it never waits for output
// and never wakes another thread per line. Thread-safe.
class AccessLog {
 public:
  // `flusher` must outlive this.
  AccessLog(LogFormat format, LogFlusher* flusher);

  void Write(const AccessLogEntry& entry);

 private:
  const LogFormat format_;
  LogFlusher* const flusher_;
};

// The process's logging for `serve`. Every line, the access log's and every other (spdlog's
// default logger is replaced), goes in `options.format` to stdout (`options.output`), so
// request handling never waits for a slow stdout (a full pipe, a stalled journald):
// - access lines are formatted by the request's thread into one bounded byte buffer that a
//   flusher thread writes out in one chunk every 200 ms, or as soon as it is half full; a
//   line that does not fit is dropped and counted;
// - other lines go through spdlog's bounded asynchronous queue and its thread (the oldest is
//   dropped and counted when it is full); warnings and errors are flushed at once.
// Destroying it writes out everything still waiting and makes the default logger synchronous
// again. At most one instance at a time.
class Logging {
 public:
  static Result<std::unique_ptr<Logging>> Start(const LoggingOptions& options);
  ~Logging();

  // Null when the access log is off, or the level is above info (access lines are info).
  AccessLog* access_log() { return access_.get(); }
  // Lines dropped because the queue or the access buffer was full (thrad_log_dropped_total).
  // Thread-safe.
  uint64_t dropped() const;

 private:
  Logging() = default;

  std::shared_ptr<spdlog::sinks::sink> sink_;
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  spdlog::level::level_enum level_{};
  std::unique_ptr<AccessLog> access_;
  std::unique_ptr<LogFlusher> flusher_;
};

}  // namespace thrad
