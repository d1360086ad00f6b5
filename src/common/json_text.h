#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace thrad {

// Pieces for writing JSON text straight into a buffer, where building a boost::json tree and
// serializing it would cost more than the answer (log lines, reports of thousands of rows).
// `Buffer` is anything with push_back(char) and append(std::string_view): a std::string, an fmt
// memory buffer.

// `s` as a JSON string: quoted, with quotes, backslashes and control characters escaped. Runs
// of characters that need no escape are appended whole.
template <typename Buffer>
void AppendJsonString(Buffer& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // the start of the characters not yet appended
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;
    out.append(s.substr(run, i - run));
    run = i + 1;
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
      default: {
        const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(std::string_view(esc, sizeof(esc)));
      }
    }
  }
  out.append(s.substr(run));
  out.push_back('"');
}

// `v` as a JSON integer.
template <typename Buffer>
void AppendJsonInt(Buffer& out, int64_t v) {
  char buf[24];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

// `d` as SerializeJson writes a double (common/json_numbers.h): its shortest round-trip form.
void AppendJsonDouble(std::string& out, double d);

}  // namespace thrad
