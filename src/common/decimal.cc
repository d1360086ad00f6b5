#include "common/decimal.h"

#include <algorithm>

namespace thrad {
namespace {

// A JSON number as sign * digits * 10^exponent, exactly. `digits` has no leading or trailing
// zeros; it is empty for zero.
struct ExactDecimal {
  bool negative = false;
  std::string digits;
  int64_t exponent = 0;
};

// Exponents are saturated here: far beyond any digit count a body can hold, so saturating
// never changes a result.
constexpr int64_t kExponentLimit = int64_t{1} << 40;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses the RFC 8259 number grammar: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
std::optional<ExactDecimal> ParseExact(std::string_view text) {
  ExactDecimal out;
  size_t pos = 0;
  if (pos < text.size() && text[pos] == '-') {
    out.negative = true;
    ++pos;
  }
  const size_t int_start = pos;
  while (pos < text.size() && IsDigit(text[pos])) ++pos;
  const std::string_view int_digits = text.substr(int_start, pos - int_start);
  if (int_digits.empty() || (int_digits.size() > 1 && int_digits[0] == '0')) return std::nullopt;

  std::string_view frac_digits;
  if (pos < text.size() && text[pos] == '.') {
    const size_t frac_start = ++pos;
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
    frac_digits = text.substr(frac_start, pos - frac_start);
    if (frac_digits.empty()) return std::nullopt;
  }

  int64_t exponent = 0;
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    bool exp_negative = false;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      exp_negative = text[pos] == '-';
      ++pos;
    }
    const size_t exp_start = pos;
    while (pos < text.size() && IsDigit(text[pos])) {
      exponent = std::min(exponent * 10 + (text[pos] - '0'), kExponentLimit);
      ++pos;
    }
    if (pos == exp_start) return std::nullopt;
    if (exp_negative) exponent = -exponent;
  }
  if (pos != text.size()) return std::nullopt;

  out.digits.reserve(int_digits.size() + frac_digits.size());
  out.digits.append(int_digits);
  out.digits.append(frac_digits);
  out.exponent = exponent - static_cast<int64_t>(frac_digits.size());
  const size_t first = out.digits.find_first_not_of('0');
  if (first == std::string::npos) {
    out.digits.clear();
    out.exponent = 0;
    return out;
  }
  out.digits.erase(0, first);
  const size_t last = out.digits.find_last_not_of('0');
  out.exponent += static_cast<int64_t>(out.digits.size() - 1 - last);
  out.digits.resize(last + 1);
  return out;
}

// |value| * 10^scale split into its integer part and what lies below it.
struct Scaled {
  bool overflow = false;  // the integer part does not fit in 19 digits
  uint64_t integer = 0;   // meaningful when !overflow
  bool has_fraction = false;
  bool round_up = false;  // the first digit below the integer part is 5 or more
};

Scaled ScaleMagnitude(const ExactDecimal& d, int scale) {
  Scaled out;
  if (d.digits.empty()) return out;
  const int64_t shift = d.exponent + scale;  // value * 10^scale = digits * 10^shift
  const int64_t int_len = static_cast<int64_t>(d.digits.size()) + shift;
  if (int_len > 19) {  // digits has no leading zero, so the value is >= 10^19
    out.overflow = true;
    return out;
  }
  for (int64_t i = 0; i < int_len; ++i) {
    const char c = i < static_cast<int64_t>(d.digits.size()) ? d.digits[i] : '0';
    out.integer = out.integer * 10 + static_cast<uint64_t>(c - '0');
  }
  if (shift < 0) {  // digits has no trailing zero, so anything below is non-zero
    out.has_fraction = true;
    const int64_t first_below = std::max<int64_t>(int_len, 0);
    // When int_len < 0 the first digit below the integer part is a leading zero.
    out.round_up = int_len >= 0 && d.digits[first_below] >= '5';
  }
  return out;
}

bool ExceedsMax(const Scaled& s, int64_t max) {
  const uint64_t umax = static_cast<uint64_t>(max);
  return s.overflow || s.integer > umax || (s.integer == umax && s.has_fraction);
}

DecimalInt Error(DecimalError e) { return DecimalInt{0, e}; }

}  // namespace

DecimalInt ParseNonNegativeMicros(std::string_view json_number, int64_t max_micros) {
  const std::optional<ExactDecimal> d = ParseExact(json_number);
  if (!d) return Error(DecimalError::kSyntax);
  if (d->negative && !d->digits.empty()) return Error(DecimalError::kNegative);
  const Scaled s = ScaleMagnitude(*d, 6);
  if (ExceedsMax(s, max_micros)) return Error(DecimalError::kTooLarge);
  // integer < max here, or == max with no fraction, so rounding up cannot pass max.
  return DecimalInt{static_cast<int64_t>(s.integer + (s.round_up ? 1 : 0)), std::nullopt};
}

DecimalInt ParseNonNegativeInteger(std::string_view json_number, int64_t max) {
  const std::optional<ExactDecimal> d = ParseExact(json_number);
  if (!d) return Error(DecimalError::kSyntax);
  if (!d->digits.empty() && d->exponent < 0) return Error(DecimalError::kFraction);
  if (d->negative && !d->digits.empty()) return Error(DecimalError::kNegative);
  const Scaled s = ScaleMagnitude(*d, 0);
  if (ExceedsMax(s, max)) return Error(DecimalError::kTooLarge);
  return DecimalInt{static_cast<int64_t>(s.integer), std::nullopt};
}

std::string FormatMicros(int64_t micros) {
  const bool negative = micros < 0;
  // Two's complement negation in unsigned arithmetic handles INT64_MIN too.
  const uint64_t magnitude =
      negative ? uint64_t{0} - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / 1'000'000);
  uint64_t fraction = magnitude % 1'000'000;
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, 6 - digits.size(), '0');
    digits.erase(digits.find_last_not_of('0') + 1);
    out += '.';
    out += digits;
  }
  return out;
}

}  // namespace thrad
