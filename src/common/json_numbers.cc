#include "common/json_numbers.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cstring>
#include <string_view>
#include <system_error>

#include "common/json_text.h"  // AppendJsonDouble

namespace thrad {
namespace {

bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// The offset just past the '"' that closes the string whose text starts at `i` (n when it is not
// closed): the first '"' that follows an even number of backslashes, found with memchr.
size_t StringEnd(const std::string& text, size_t i) {
  const size_t n = text.size();
  while (i < n) {
    const void* q = std::memchr(text.data() + i, '"', n - i);
    if (q == nullptr) return n;
    const size_t at = static_cast<size_t>(static_cast<const char*>(q) - text.data());
    size_t backslashes = 0;
    while (at - backslashes > i && text[at - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return at + 1;
    i = at + 1;
  }
  return n;
}

}  // namespace

void ShortenJsonDoubles(std::string& text) {
  std::string out;
  size_t copied = 0;  // text before this offset is in `out` (once something was rewritten)
  bool changed = false;
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const char c = text[i];
    if (c == '"') {  // a string: skipped whole, escapes included
      i = StringEnd(text, i + 1);
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) {
      ++i;
      continue;
    }
    const size_t start = i;
    bool is_double = false;
    while (i < n && IsNumberChar(text[i])) {
      is_double = is_double || text[i] == '.' || text[i] == 'e' || text[i] == 'E';
      ++i;
    }
    if (!is_double) continue;  // an integer, or the '-' of -Infinity
    double d = 0;
    const std::from_chars_result r = std::from_chars(text.data() + start, text.data() + i, d);
    if (r.ec != std::errc() || r.ptr != text.data() + i) continue;
    if (!changed) out.reserve(n);
    changed = true;
    out.append(text, copied, start - copied);
    AppendJsonDouble(out, d);
    copied = i;
  }
  if (!changed) return;
  out.append(text, copied, std::string::npos);
  text.swap(out);
}

namespace {

std::string Shortened(std::string text) {
  ShortenJsonDoubles(text);
  return text;
}

}  // namespace

std::string SerializeJson(const boost::json::value& value) {
  return Shortened(boost::json::serialize(value));
}

std::string SerializeJson(const boost::json::object& value) {
  return Shortened(boost::json::serialize(value));
}

}  // namespace thrad
