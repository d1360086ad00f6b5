#include "common/logging.h"

#include <fmt/format.h>
#include <spdlog/async_logger.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <limits>

namespace thrad {
namespace {

// How long a buffered line may wait before it reaches stdout when the server is quiet.
constexpr std::chrono::milliseconds kFlushInterval{200};

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

LogFlusher::LogFlusher(std::shared_ptr<spdlog::sinks::sink> sink, std::FILE* out, size_t capacity)
    : sink_(std::move(sink)), out_(out), capacity_(capacity) {
  // Two buffers swapped back and forth: appending never allocates.
  pending_.reserve(capacity_);
  writing_.reserve(capacity_);
  thread_ = std::thread([this] { Run(); });
}

LogFlusher::~LogFlusher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LogFlusher::Append(std::string_view line) {
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

void LogFlusher::Run() {
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
  logging->access_enabled_ = options.access_log && level <= spdlog::level::info;
  logging->flusher_ = std::make_unique<LogFlusher>(
      logging->sink_, out, logging->access_enabled_ ? options.queue_size * kAccessLineBytes : 0);
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
  pool_.reset();     // its thread writes out every queued line before it ends
  flusher_.reset();  // writes out every access line still waiting
  sink_->flush();
}

}  // namespace thrad
