#include "http/logging.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/async_logger.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <iterator>
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

// "2026-02-19T18:00:00.123Z"
void AppendTimestamp(spdlog::memory_buf_t& out, std::chrono::system_clock::time_point t) {
  const auto since_epoch = t.time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs);
  const std::time_t tt = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  fmt::format_to(std::back_inserter(out), "{:%Y-%m-%dT%H:%M:%S}.{:03}Z", tm, millis.count());
}

// One line per message. The access logger's payload is already its fields (see
// FormatAccessFields); every other message is escaped into "msg".
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
    const bool access = logger == kAccessLoggerName;
    if (format_ == LogFormat::kJson) {
      dest.append(std::string_view("{\"ts\":\""));
      AppendTimestamp(dest, msg.time);
      dest.append(std::string_view("\",\"level\":"));
      AppendJsonString(dest, level_sv);
      dest.append(std::string_view(",\"logger\":"));
      AppendJsonString(dest, logger);
      if (access) {
        dest.append(std::string_view(",\"msg\":\"request\","));
        dest.append(payload);
      } else {
        dest.append(std::string_view(",\"msg\":"));
        AppendJsonString(dest, payload);
      }
      dest.append(std::string_view("}\n"));
    } else {
      AppendTimestamp(dest, msg.time);
      dest.push_back(' ');
      dest.append(level_sv);
      dest.push_back(' ');
      dest.append(logger);
      dest.push_back(' ');
      if (access) {
        dest.append(payload);
      } else {
        // Control characters never reach the terminal or journal raw.
        for (char ch : payload) {
          const auto c = static_cast<unsigned char>(ch);
          dest.push_back(c < 0x20 || c == 0x7f ? ' ' : ch);
        }
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

// Buffered stdout: one fwrite per line (whole lines never interleave), flushed at once for
// warnings and errors, otherwise by the Logging flusher thread.
class StdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
    if (msg.level >= spdlog::level::warn) std::fflush(stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

}  // namespace

// Flushes `sink` every kFlushInterval until destroyed.
class LogFlusher {
 public:
  explicit LogFlusher(std::shared_ptr<spdlog::sinks::sink> sink)
      : sink_(std::move(sink)), thread_([this] { Run(); }) {}
  ~LogFlusher() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, kFlushInterval, [this] { return stop_; });
      sink_->flush();
    }
  }

  std::shared_ptr<spdlog::sinks::sink> sink_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

Result<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "json") return LogFormat::kJson;
  if (text == "text") return LogFormat::kText;
  return Status::InvalidArgument("log format must be json or text, got '" + std::string(text) +
                                 "'");
}

std::string FormatAccessFields(const AccessLogEntry& e, LogFormat format) {
  fmt::memory_buffer out;
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
  return fmt::to_string(out);
}

AccessLog::AccessLog(std::shared_ptr<spdlog::logger> logger, LogFormat format)
    : logger_(std::move(logger)), format_(format) {}

void AccessLog::Write(const AccessLogEntry& entry) {
  if (!logger_->should_log(spdlog::level::info)) return;
  const std::string fields = FormatAccessFields(entry, format_);
  logger_->log(spdlog::level::info, spdlog::string_view_t(fields.data(), fields.size()));
}

Result<std::unique_ptr<Logging>> Logging::Start(const LoggingOptions& options) {
  const spdlog::level::level_enum level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    return Status::InvalidArgument("unknown log level '" + options.level + "'");
  }
  if (options.queue_size == 0) return Status::InvalidArgument("log queue size must be positive");
  std::unique_ptr<Logging> logging(new Logging());
  logging->level_ = level;
  logging->sink_ = std::make_shared<StdoutSink>();
  logging->sink_->set_formatter(std::make_unique<LineFormatter>(options.format));
  logging->pool_ = std::make_shared<spdlog::details::thread_pool>(options.queue_size, 1);

  auto main_logger = std::make_shared<spdlog::async_logger>(
      "thrad", logging->sink_, logging->pool_, spdlog::async_overflow_policy::overrun_oldest);
  main_logger->set_level(level);
  main_logger->flush_on(spdlog::level::warn);
  if (options.access_log) {
    auto access =
        std::make_shared<spdlog::async_logger>(kAccessLoggerName, logging->sink_, logging->pool_,
                                               spdlog::async_overflow_policy::overrun_oldest);
    access->set_level(level);
    logging->access_ = std::make_unique<AccessLog>(std::move(access), options.format);
  }
  spdlog::set_default_logger(std::move(main_logger));
  logging->flusher_ = std::make_unique<LogFlusher>(logging->sink_);
  return logging;
}

uint64_t Logging::dropped() const { return pool_->overrun_counter(); }

Logging::~Logging() {
  // Later lines (there are few) are written synchronously to the same sink.
  auto sync_logger = std::make_shared<spdlog::logger>("thrad", sink_);
  sync_logger->set_level(level_);
  sync_logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(sync_logger));
  access_.reset();
  pool_.reset();  // its thread writes out every queued line before it ends
  flusher_.reset();
  sink_->flush();
}

}  // namespace thrad
