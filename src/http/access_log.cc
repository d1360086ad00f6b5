#include "http/access_log.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <iterator>

#include "common/logging.h"

namespace thrad {
namespace {

constexpr const char* kAccessLoggerName = "access";
// Most errors of one answer a line lists (a 422 names each field at most once).
constexpr size_t kMaxLoggedErrors = 32;

// `detail` and each error's `loc` and `type` from an error body; nothing when it is not one.
template <typename Buffer>
void AppendErrorDetails(Buffer& out, std::string_view error_body, LogFormat format) {
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(error_body, ec);
  if (ec || !body.is_object()) return;
  const boost::json::object& o = body.get_object();
  const auto* detail = o.if_contains("detail");
  if (detail == nullptr || !detail->is_string()) return;
  const std::string_view detail_text = detail->get_string();
  const auto* errors = o.if_contains("errors");
  const bool listed = errors != nullptr && errors->is_array() && !errors->get_array().empty();
  if (format == LogFormat::kJson) {
    out.append(std::string_view(",\"detail\":"));
    AppendJsonString(out, detail_text);
  } else {
    out.append(std::string_view(" detail="));
    AppendTextValue(out, detail_text);
  }
  if (!listed) return;
  out.append(format == LogFormat::kJson ? std::string_view(",\"errors\":[")
                                        : std::string_view(" errors="));
  size_t n = 0;
  for (const boost::json::value& error : errors->get_array()) {
    if (n == kMaxLoggedErrors || !error.is_object()) break;
    const auto* loc = error.get_object().if_contains("loc");
    const auto* type = error.get_object().if_contains("type");
    if (loc == nullptr || !loc->is_array() || type == nullptr || !type->is_string()) break;
    if (n++ > 0) out.push_back(',');
    if (format == LogFormat::kJson) out.append(std::string_view("{\"loc\":["));
    bool first = true;
    for (const boost::json::value& part : loc->get_array()) {
      if (!first) out.push_back(format == LogFormat::kJson ? ',' : '.');
      first = false;
      if (part.is_string()) {
        if (format == LogFormat::kJson) {
          AppendJsonString(out, part.get_string());
        } else {
          out.append(std::string_view(part.get_string()));
        }
      } else if (part.is_int64()) {
        fmt::format_to(std::back_inserter(out), "{}", part.get_int64());
      }
    }
    if (format == LogFormat::kJson) {
      out.append(std::string_view("],\"type\":"));
      AppendJsonString(out, type->get_string());
      out.push_back('}');
    } else {
      out.push_back(':');
      out.append(std::string_view(type->get_string()));
    }
  }
  if (format == LogFormat::kJson) out.push_back(']');
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
    if (!e.error_body.empty()) AppendErrorDetails(out, e.error_body, format);
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
    if (!e.error_body.empty()) AppendErrorDetails(out, e.error_body, format);
  }
}

}  // namespace

std::string FormatAccessFields(const AccessLogEntry& entry, LogFormat format) {
  fmt::memory_buffer out;
  AppendAccessFields(out, entry, format);
  return fmt::to_string(out);
}

AccessLog::AccessLog(LogFormat format, LogFlusher* flusher, bool error_details)
    : format_(format), flusher_(flusher), error_details_(error_details) {}

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
