#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/log_format.h"
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

// Owns the access log's bounded byte buffer and the thread that empties it: every 200 ms, and
// early once the buffer passes half its capacity, it writes the waiting lines to `out` in one
// fwrite and flushes `sink` (and so `out`). Lines are whole, so the FILE's own lock keeps them
// from interleaving with the sink's. Destroying it writes out every line appended before.
class LogFlusher {
 public:
  // `capacity`: bytes of access lines that may wait (0: no access log).
  LogFlusher(std::shared_ptr<spdlog::sinks::sink> sink, std::FILE* out, size_t capacity);
  ~LogFlusher();

  // Appends one whole line, or drops and counts it when it does not fit. Thread-safe; never
  // waits for output.
  void Append(std::string_view line);

  // Access lines dropped because the buffer was full. Thread-safe.
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  void Run();

  const std::shared_ptr<spdlog::sinks::sink> sink_;
  std::FILE* const out_;
  const size_t capacity_;
  std::atomic<uint64_t> dropped_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;  // guarded by mu_: whole lines waiting, at most capacity_ bytes
  bool wake_ = false;    // guarded by mu_: pending_ passed half its capacity since the swap
  bool stop_ = false;    // guarded by mu_
  std::string writing_;  // the flusher thread's only
  std::thread thread_;
};

// The process's logging for `serve`. Every line, the access log's and every other (spdlog's
// default logger is replaced), goes in `options.format` to stdout (`options.output`), so
// request handling never waits for a slow stdout (a full pipe, a stalled journald):
// - access lines (http/access_log.h) are formatted by the request's thread into one bounded
//   byte buffer (access_lines()) that a flusher thread writes out in one chunk every 200 ms,
//   or as soon as it is half full; a line that does not fit is dropped and counted;
// - other lines go through spdlog's bounded asynchronous queue and its thread (the oldest is
//   dropped and counted when it is full); warnings and errors are flushed at once.
// Destroying it writes out everything still waiting and makes the default logger synchronous
// again. At most one instance at a time.
class Logging {
 public:
  static Result<std::unique_ptr<Logging>> Start(const LoggingOptions& options);
  ~Logging();

  // Where access lines go; must outlive every AccessLog writing to it. Null when the access
  // log is off, or the level is above info (access lines are info).
  LogFlusher* access_lines() { return access_enabled_ ? flusher_.get() : nullptr; }
  // Lines dropped because the queue or the access buffer was full (thrad_log_dropped_total).
  // Thread-safe.
  uint64_t dropped() const;

 private:
  Logging() = default;

  std::shared_ptr<spdlog::sinks::sink> sink_;
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  spdlog::level::level_enum level_{};
  bool access_enabled_ = false;
  std::unique_ptr<LogFlusher> flusher_;
};

}  // namespace thrad
