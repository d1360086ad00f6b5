#include "common/json_numbers.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>
#include <system_error>

namespace thrad {
namespace {

bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// Appends `d` in its shortest round-trip form, with the exponent written without '+' and
// without leading zeros ("1e21", "1e-7" rather than "1e+21", "1e-07"). Negative zero is "-0.0":
// JSON readers (Boost among them) read "-0" as the integer 0, losing the sign on every
// store-and-export round trip.
void AppendShortest(std::string& out, double d) {
  if (d == 0 && std::signbit(d)) {
    out += "-0.0";
    return;
  }
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), d);
  const std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  const size_t e = text.find('e');
  if (e == std::string_view::npos) {
    out += text;
    return;
  }
  out += text.substr(0, e + 1);
  std::string_view exponent = text.substr(e + 1);
  if (exponent.front() == '-') {
    out += '-';
    exponent.remove_prefix(1);
  } else if (exponent.front() == '+') {
    exponent.remove_prefix(1);
  }
  while (exponent.size() > 1 && exponent.front() == '0') exponent.remove_prefix(1);
  out += exponent;
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
    AppendShortest(out, d);
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
