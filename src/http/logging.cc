#include "http/logging.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/async_logger.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <limits>
#include <mutex>
#include <thread>

namespace thrad {
namespace {

constexpr const char* kAccessLoggerName = "access";
// How long a buffered line may wait before it reaches stdout when the server is quiet.
constexpr std::chrono::milliseconds kFlushInterval{200};

template <typename Buffer>
void AppendJsonString(Buffer& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out.append(std::string_view("\\\""));
        break;
      case '\\':
        out.append(std::string_view("\\\\"));
        break;
      case '\n':
        out.append(std::string_view("\\n"));
        break;
      case '\r':
        out.append(std::string_view("\\r"));
        break;
      case '\t':
        out.append(std::string_view("\\t"));
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          out.append(std::string_view(esc, sizeof(esc)));
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

// A text-format value: as is when it is a plain token, else JSON-quoted.
template <typename Buffer>
void AppendTextValue(Buffer& out, std::string_view s) {
  bool plain = !s.empty();
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '=' || c == '\\') plain = false;
  }
  if (plain) {
    out.append(s);
  } else {
    AppendJsonString(out, s);
  }
}

// "2026-02-19T18:00:00.123Z". The part up to the second is formatted once a second per thread
// (gmtime_r and the chrono formatting cost more than the rest of a line).
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

std::string_view FormatTimestamp(std::chrono::system_clock::time_point t) {
  thread_local TimestampCache cache;
  return cache.Format(t);
}

// What every line starts with, up to its message: `{"ts":"…","level":"info","logger":"access"`
// for JSON, `<ts> info access ` for text.
template <typename Buffer>
void AppendLineStart(Buffer& out, LogFormat format, std::string_view ts, std::string_view level,
                     std::string_view logger) {
  if (format == LogFormat::kJson) {
    out.append(std::string_view("{\"ts\":\""));
    out.append(ts);
    out.append(std::string_view("\",\"level\":"));
    AppendJsonString(out, level);
    out.append(std::string_view(",\"logger\":"));
    AppendJsonString(out, logger);
  } else {
    out.append(ts);
    out.push_back(' ');
    out.append(level);
    out.push_back(' ');
    out.append(logger);
    out.push_back(' ');
  }
}

template <typename Buffer>
void AppendAccessFields(Buffer& out, const AccessLogEntry& e, LogFormat format) {
  const double duration_ms = static_cast<double>(e.duration.count()) / 1e6;
  if (format == LogFormat::kJson) {
    auto field = [&out](std::string_view name, std::string_view value, bool first = false) {
      if (!first) out.push_back(',');
      out.push_back('"');
      out.append(name);
      out.append(std::string_view("\":"));
      if (value.empty()) {
        out.append(std::string_view("null"));
      } else {
        AppendJsonString(out, value);
      }
    };
    field("request_id", e.request_id, /*first=*/true);
    field("method", e.method);
    field("route", e.route);
    fmt::format_to(std::back_inserter(out), ",\"status\":{},\"duration_ms\":{:.3f}", e.status,
                   duration_ms);
    field("partner_id", e.partner_id);
    field("key_id", e.key_id);
    field("peer_ip", e.peer_ip);
    fmt::format_to(std::back_inserter(out), ",\"bytes_in\":{},\"bytes_out\":{}", e.bytes_in,
                   e.bytes_out);
  } else {
    auto field = [&out](std::string_view name, std::string_view value, bool first = false) {
      if (!first) out.push_back(' ');
      out.append(name);
      out.push_back('=');
      AppendTextValue(out, value.empty() ? std::string_view("-") : value);
    };
    field("request_id", e.request_id, /*first=*/true);
    field("method", e.method);
    field("route", e.route);
    fmt::format_to(std::back_inserter(out), " status={} duration_ms={:.3f}", e.status, duration_ms);
    field("partner_id", e.partner_id);
    field("key_id", e.key_id);
    field("peer_ip", e.peer_ip);
    fmt::format_to(std::back_inserter(out), " bytes_in={} bytes_out={}", e.bytes_in, e.bytes_out);
  }
}

// One line per message of spdlog's loggers (not the access log's): the message is escaped
// into "msg" (JSON) or has its control characters blanked (text).
class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(LogFormat format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view logger(msg.logger_name.data(), msg.logger_name.size());
    const std::string_view level_sv = [&] {
      const auto& l = spdlog::level::to_string_view(msg.level);
      return std::string_view(l.data(), l.size());
    }();
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    AppendLineStart(dest, format_, FormatTimestamp(msg.time), level_sv, logger);
    if (format_ == LogFormat::kJson) {
      dest.append(std::string_view(",\"msg\":"));
      AppendJsonString(dest, payload);
      dest.append(std::string_view("}\n"));
    } else {
      // Control characters never reach the terminal or journal raw.
      for (char ch : payload) {
        const auto c = static_cast<unsigned char>(ch);
        dest.push_back(c < 0x20 || c == 0x7f ? ' ' : ch);
      }
      dest.push_back('\n');
    }
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(format_);
  }

 private:
  const LogFormat format_;
};

// Buffered output: one fwrite per line (whole lines never interleave), flushed at once for
// warnings and errors, otherwise by the LogFlusher.
class FileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit FileSink(std::FILE* out) : out_(out) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), out_);
    if (msg.level >= spdlog::level::warn) std::fflush(out_);
  }
  void flush_() override { std::fflush(out_); }

 private:
  std::FILE* const out_;
};

}  // namespace

// Owns the access log's bounded byte buffer and the thread that empties it: every
// kFlushInterval, and early once the buffer passes half its capacity, it writes the waiting
// lines to `out` in one fwrite and flushes `sink` (and so `out`). Lines are whole, so the
// FILE's own lock keeps them from interleaving with the sink's. Destroying it writes out
// every line appended before.
class LogFlusher {
 public:
  // `capacity`: bytes of access lines that may wait (0: no access log).
  LogFlusher(std::shared_ptr<spdlog::sinks::sink> sink, std::FILE* out, size_t capacity)
      : sink_(std::move(sink)), out_(out), capacity_(capacity) {
    // Two buffers swapped back and forth: appending never allocates.
    pending_.reserve(capacity_);
    writing_.reserve(capacity_);
    thread_ = std::thread([this] { Run(); });
  }
  ~LogFlusher() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // Appends one whole line, or drops and counts it when it does not fit. Thread-safe; never
  // waits for output.
  void Append(std::string_view line) {
    bool wake = false;
    {
      std::lock_guard lock(mu_);
      if (line.size() > capacity_ - pending_.size()) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      pending_.append(line);
      // Only the crossing wakes the thread: one notify per half buffer, not per line.
      if (!wake_ && pending_.size() >= capacity_ / 2) wake = wake_ = true;
    }
    if (wake) cv_.notify_one();
  }

  // Access lines dropped because the buffer was full. Thread-safe.
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  void Run() {
    bool stop = false;
    while (!stop) {
      {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, kFlushInterval, [this] { return stop_ || wake_; });
        pending_.swap(writing_);
        wake_ = false;
        stop = stop_;
      }
      if (!writing_.empty()) {
        std::fwrite(writing_.data(), 1, writing_.size(), out_);
        writing_.clear();
      }
      sink_->flush();
    }
  }

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

Result<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "json") return LogFormat::kJson;
  if (text == "text") return LogFormat::kText;
  return Status::InvalidArgument("log format must be json or text, got '" + std::string(text) +
                                 "'");
}

std::string FormatAccessFields(const AccessLogEntry& entry, LogFormat format) {
  fmt::memory_buffer out;
  AppendAccessFields(out, entry, format);
  return fmt::to_string(out);
}

AccessLog::AccessLog(LogFormat format, LogFlusher* flusher) : format_(format), flusher_(flusher) {}

void AccessLog::Write(const AccessLogEntry& entry) {
  // Reused by every line of this thread: no allocation once it has grown to a line.
  thread_local fmt::memory_buffer line;
  line.clear();
  AppendLineStart(line, format_, FormatTimestamp(std::chrono::system_clock::now()), "info",
                  kAccessLoggerName);
  if (format_ == LogFormat::kJson) {
    line.append(std::string_view(",\"msg\":\"request\","));
    AppendAccessFields(line, entry, format_);
    line.append(std::string_view("}\n"));
  } else {
    AppendAccessFields(line, entry, format_);
    line.push_back('\n');
  }
  flusher_->Append(std::string_view(line.data(), line.size()));
}

Result<std::unique_ptr<Logging>> Logging::Start(const LoggingOptions& options) {
  const spdlog::level::level_enum level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    return Status::InvalidArgument("unknown log level '" + options.level + "'");
  }
  if (options.queue_size == 0) return Status::InvalidArgument("log queue size must be positive");
  if (options.queue_size > std::numeric_limits<size_t>::max() / kAccessLineBytes) {
    return Status::InvalidArgument("log queue size is too large");
  }
  std::FILE* out = options.output != nullptr ? options.output : stdout;
  std::unique_ptr<Logging> logging(new Logging());
  logging->level_ = level;
  logging->sink_ = std::make_shared<FileSink>(out);
  logging->sink_->set_formatter(std::make_unique<LineFormatter>(options.format));
  logging->pool_ = std::make_shared<spdlog::details::thread_pool>(options.queue_size, 1);

  auto main_logger = std::make_shared<spdlog::async_logger>(
      "thrad", logging->sink_, logging->pool_, spdlog::async_overflow_policy::overrun_oldest);
  main_logger->set_level(level);
  main_logger->flush_on(spdlog::level::warn);
  // Access lines are at level info: above it they are never written.
  const bool access_enabled = options.access_log && level <= spdlog::level::info;
  logging->flusher_ = std::make_unique<LogFlusher>(
      logging->sink_, out, access_enabled ? options.queue_size * kAccessLineBytes : 0);
  if (access_enabled) {
    logging->access_ = std::make_unique<AccessLog>(options.format, logging->flusher_.get());
  }
  spdlog::set_default_logger(std::move(main_logger));
  return logging;
}

uint64_t Logging::dropped() const { return pool_->overrun_counter() + flusher_->dropped(); }

Logging::~Logging() {
  // Later lines (there are few) are written synchronously to the same sink.
  auto sync_logger = std::make_shared<spdlog::logger>("thrad", sink_);
  sync_logger->set_level(level_);
  sync_logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(sync_logger));
  access_.reset();
  pool_.reset();     // its thread writes out every queued line before it ends
  flusher_.reset();  // writes out every access line still waiting
  sink_->flush();
}

}  // namespace thrad
