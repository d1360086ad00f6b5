#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace thrad {

// Exact conversions between the text of a JSON number and fixed-point integers. A double
// cannot hold 999999999999.999999, so money never goes through one.

// Why a number text was refused.
enum class DecimalError {
  kSyntax,    // not a JSON number (RFC 8259 section 6 grammar)
  kNegative,  // the exact value is below zero (-0, -0.0 and -0e5 are zero, not negative)
  kTooLarge,  // the exact value is above the maximum
  kFraction,  // an integer was required and the exact value has a fractional part
};

// An integer result, or why there is none.
struct DecimalInt {
  int64_t value = 0;  // meaningful only when error is empty
  std::optional<DecimalError> error;

  bool ok() const { return !error.has_value(); }
};

// The micro-units (value * 10^6) of a JSON number text such as "49.99", "4.999e1", "1E+3" or
// "0.0000005". Digits past the 6th decimal are rounded half up (0.0000005 -> 1,
// 0.0000004999 -> 0). The range check uses the exact value before rounding: the number must be
// >= 0 (kNegative otherwise; a negative value that would round to 0 is still kNegative) and
// <= max_micros / 10^6 (kTooLarge otherwise). Exponents of any size are handled ("1e400" is
// kTooLarge, "1e-400" is 0).
DecimalInt ParseNonNegativeMicros(std::string_view json_number, int64_t max_micros);

// The integer value of a JSON number text whose exact value is a whole number: "42", "1.0",
// "1e3" and "-0" are accepted; "1.5" is kFraction. Checks are in the order kFraction,
// kNegative, kTooLarge (> max).
DecimalInt ParseNonNegativeInteger(std::string_view json_number, int64_t max);

// The shortest exact decimal text of micro-units: 49990000 -> "49.99", 1 -> "0.000001",
// 1000000000000000000 -> "1000000000000", 0 -> "0", -1500000 -> "-1.5".
std::string FormatMicros(int64_t micros);

}  // namespace thrad
