#include "http/access_log.h"

#include <fmt/format.h>

#include <iterator>

#include "common/logging.h"

namespace thrad {
namespace {

constexpr const char* kAccessLoggerName = "access";

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

}  // namespace

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

}  // namespace thrad
