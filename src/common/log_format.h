#pragma once

#include <chrono>
#include <string_view>

#include "common/json_text.h"  // AppendJsonString
#include "common/status.h"

namespace thrad {

// The format of every line the process writes, the access log's and every other.
enum class LogFormat { kJson, kText };

// Parses "json" or "text".
Result<LogFormat> ParseLogFormat(std::string_view text);

// "json" or "text": what ParseLogFormat parses into `format`.
std::string_view LogFormatName(LogFormat format);

// The pieces every line is written from, shared by the process logging's formatter
// (common/logging.cc) and the access log (http/access_log.cc). `Buffer` is an fmt memory
// buffer: anything with push_back(char) and append(std::string_view).

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

// "2026-02-19T18:00:00.123Z" (UTC, milliseconds). The view is valid until the calling thread
// calls it again.
std::string_view FormatTimestamp(std::chrono::system_clock::time_point t);

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

}  // namespace thrad
