#pragma once

#include <boost/json/fwd.hpp>
#include <string>

namespace thrad {

// The one way the project writes JSON text (HTTP bodies, stored params, exports, every CLI
// --json): boost::json::serialize, except that each double is written in its shortest
// round-trip form, without an exponent where a plain number is as short (std::to_chars):
// 49.99, 10, 0.008947041, 1e21, 5e-324 (and -0.0, which "-0" would turn into the integer 0).
// Boost 1.81 writes doubles in scientific form (4.999E1, 1E1, 8.947041E-3), so a client's 49.99
// came back as 4.999E1. Integers (int64, uint64) are written exactly as Boost holds them: a
// client's 9007199254740993 stays that. Beyond the uint64 range the parser already made a double.
std::string SerializeJson(const boost::json::value& value);
std::string SerializeJson(const boost::json::object& value);

// Rewrites, in place, every double in JSON text written by boost::json::serialize into the
// form above; strings and integers are left as they are. Exposed for tests.
void ShortenJsonDoubles(std::string& text);

}  // namespace thrad
