#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spdlog {
class logger;
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
  // Access lines waiting for the log thread; past it the oldest are dropped (and counted)
  // rather than making a request wait for a slow stdout.
  size_t queue_size = 8192;
};

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

// The fields of an access line, without timestamp and level (the log formatter adds them):
// `"request_id":"…","method":"POST",…` for JSON, `request_id=… method=POST …` for text.
// Pure; exposed for tests.
std::string FormatAccessFields(const AccessLogEntry& entry, LogFormat format);

// The access log: an asynchronous spdlog logger (see Logging). Write formats the fields on
// the caller's thread and queues them; it never waits for output. Thread-safe.
class AccessLog {
 public:
  AccessLog(std::shared_ptr<spdlog::logger> logger, LogFormat format);

  void Write(const AccessLogEntry& entry);

 private:
  std::shared_ptr<spdlog::logger> logger_;
  const LogFormat format_;
};

// The process's logging for `serve`. Every line, the access log's and every other (spdlog's
// default logger is replaced), goes in `options.format` to stdout through ONE bounded queue
// and ONE writer thread, so request handling never waits for a slow stdout (a full pipe, a
// stalled journald): when the queue is full the oldest waiting line is dropped and counted.
// Output is buffered and flushed at least every 200 ms (warnings and errors at once).
// Destroying it writes out everything still queued and makes the default logger synchronous
// again. At most one instance at a time.
class Logging {
 public:
  static Result<std::unique_ptr<Logging>> Start(const LoggingOptions& options);
  ~Logging();

  // Null when the access log is off.
  AccessLog* access_log() { return access_.get(); }
  // Lines dropped because the queue was full (thrad_log_dropped_total).
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
