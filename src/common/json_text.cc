#include "common/json_text.h"

#include <cmath>

namespace thrad {

// Appends `d` in its shortest round-trip form, with the exponent written without '+' and
// without leading zeros ("1e21", "1e-7" rather than "1e+21", "1e-07"). Negative zero is "-0.0":
// JSON readers (Boost among them) read "-0" as the integer 0, losing the sign on every
// store-and-export round trip.
void AppendJsonDouble(std::string& out, double d) {
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

}  // namespace thrad
