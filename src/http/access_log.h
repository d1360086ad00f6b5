#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/log_format.h"

namespace thrad {

class LogFlusher;

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
  // A refused request's answer (the error mapper's JSON body), set only when the log wants
  // error details (AccessLog::error_details()): the line then adds the body's `detail` and
  // each error's `loc` and `type`, never a `msg` or anything else of the request.
  std::string_view error_body;
};

// The fields of an access line, without timestamp and level (AccessLog::Write adds them):
// `"request_id":"…","method":"POST",…` for JSON, `request_id=… method=POST …` for text.
// Pure; exposed for tests.
std::string FormatAccessFields(const AccessLogEntry& entry, LogFormat format);

// The access log: one line per request, at level info, from logger "access", in the format of
// every other line (common/logging.h). Write formats the whole line on the caller's thread
// and appends it to the bounded buffer of Logging::access_lines(), which a flusher thread
// writes out; it never waits for output and never wakes another thread per line.
// Thread-safe.
class AccessLog {
 public:
  // `flusher` must outlive this. `error_details`: a refused request's line says why (set at
  // --log-level debug; the info level does no extra work per request).
  AccessLog(LogFormat format, LogFlusher* flusher, bool error_details = false);

  void Write(const AccessLogEntry& entry);
  // Whether callers should fill AccessLogEntry::error_body for 4xx answers.
  bool error_details() const { return error_details_; }

 private:
  const LogFormat format_;
  LogFlusher* const flusher_;
  const bool error_details_;
};

}  // namespace thrad
