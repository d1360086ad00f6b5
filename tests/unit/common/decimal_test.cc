#include "common/decimal.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "testing/status_matchers.h"

namespace thrad {
namespace {

constexpr int64_t kMax = 1'000'000'000'000'000'000;  // 1e12 in micros

int64_t Micros(std::string_view text, int64_t max = kMax) {
  DecimalInt r = ParseNonNegativeMicros(text, max);
  EXPECT_OK(r) << text << " error " << static_cast<int>(r.error.value_or(DecimalError{}));
  return r.value;
}

std::optional<DecimalError> MicrosError(std::string_view text, int64_t max = kMax) {
  DecimalInt r = ParseNonNegativeMicros(text, max);
  EXPECT_FALSE(r.ok()) << text << " gave " << r.value;
  return r.error;
}

TEST(ParseNonNegativeMicrosTest, PlainDecimals) {
  EXPECT_EQ(Micros("0"), 0);
  EXPECT_EQ(Micros("1"), 1'000'000);
  EXPECT_EQ(Micros("49.99"), 49'990'000);
  EXPECT_EQ(Micros("0.000001"), 1);
  EXPECT_EQ(Micros("123.456789"), 123'456'789);
  EXPECT_EQ(Micros("10.50"), 10'500'000);
}

TEST(ParseNonNegativeMicrosTest, ExactNearTheMaximum) {
  // A double cannot represent these; the text conversion is exact.
  EXPECT_EQ(Micros("999999999999.999999"), 999'999'999'999'999'999);
  EXPECT_EQ(Micros("999999999999.999998"), 999'999'999'999'999'998);
  EXPECT_EQ(Micros("1000000000000"), kMax);
  EXPECT_EQ(Micros("1000000000000.000000"), kMax);
  EXPECT_EQ(Micros("1e12"), kMax);
  EXPECT_EQ(Micros("123456789012.345678"), 123'456'789'012'345'678);
}

TEST(ParseNonNegativeMicrosTest, Exponents) {
  EXPECT_EQ(Micros("4.999e1"), 49'990'000);
  EXPECT_EQ(Micros("1E+3"), 1'000'000'000);
  EXPECT_EQ(Micros("1e3"), 1'000'000'000);
  EXPECT_EQ(Micros("1E-6"), 1);
  EXPECT_EQ(Micros("5e-7"), 1);  // rounds half up
  EXPECT_EQ(Micros("4e-7"), 0);
  EXPECT_EQ(Micros("0.1e1"), 1'000'000);
  EXPECT_EQ(Micros("12345e-2"), 123'450'000);
  EXPECT_EQ(Micros("0e999999999999999999999"), 0);
  EXPECT_EQ(Micros("1e-400"), 0);
  EXPECT_EQ(Micros("9.99999999999999999e11"), 999'999'999'999'999'999);
  EXPECT_EQ(Micros("9.9999999999999999e11"), 999'999'999'999'999'990);
}

TEST(ParseNonNegativeMicrosTest, NegativeZeroIsZero) {
  EXPECT_EQ(Micros("-0"), 0);
  EXPECT_EQ(Micros("-0.0"), 0);
  EXPECT_EQ(Micros("-0e10"), 0);
  EXPECT_EQ(Micros("-0.000000000"), 0);
}

TEST(ParseNonNegativeMicrosTest, RoundsHalfUpPastSixDecimals) {
  EXPECT_EQ(Micros("0.0000005"), 1);
  EXPECT_EQ(Micros("0.0000004999999"), 0);
  EXPECT_EQ(Micros("0.00000049"), 0);
  EXPECT_EQ(Micros("1.2345675"), 1'234'568);
  EXPECT_EQ(Micros("1.2345665"), 1'234'567);  // half up, not half even
  EXPECT_EQ(Micros("0.9999995"), 1'000'000);  // carries into the integer part
  EXPECT_EQ(Micros("999999999999.9999995"), kMax);
  EXPECT_EQ(Micros("0.00000000000000000000001"), 0);
}

TEST(ParseNonNegativeMicrosTest, NegativeValuesAreRejectedExactly) {
  EXPECT_EQ(MicrosError("-1"), DecimalError::kNegative);
  EXPECT_EQ(MicrosError("-0.000001"), DecimalError::kNegative);
  EXPECT_EQ(MicrosError("-0.0000001"), DecimalError::kNegative);  // would round to 0
  EXPECT_EQ(MicrosError("-1e400"), DecimalError::kNegative);
}

TEST(ParseNonNegativeMicrosTest, TooLargeIsCheckedOnTheExactValue) {
  EXPECT_EQ(MicrosError("1000000000000.000001"), DecimalError::kTooLarge);
  EXPECT_EQ(MicrosError("1000000000000.0000001"), DecimalError::kTooLarge);  // rounds to max
  EXPECT_EQ(MicrosError("1000000000001"), DecimalError::kTooLarge);
  EXPECT_EQ(MicrosError("1e13"), DecimalError::kTooLarge);
  EXPECT_EQ(MicrosError("1e400"), DecimalError::kTooLarge);
  EXPECT_EQ(MicrosError("99999999999999999999999"), DecimalError::kTooLarge);
  EXPECT_EQ(MicrosError("1e9999999999999999999999999"), DecimalError::kTooLarge);
}

TEST(ParseNonNegativeMicrosTest, HonoursTheGivenMaximum) {
  EXPECT_EQ(Micros("5", 5'000'000), 5'000'000);
  EXPECT_EQ(MicrosError("5.000001", 5'000'000), DecimalError::kTooLarge);
  const int64_t i64max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(Micros("9223372036854.775807", i64max), i64max);
  EXPECT_EQ(MicrosError("9223372036854.775808", i64max), DecimalError::kTooLarge);
}

TEST(ParseNonNegativeMicrosTest, SyntaxFollowsJsonGrammar) {
  for (const char* bad :
       {"",    "-",        "+1",        "01",   "00",    "1.",    ".5",
        "1e",  "1e+",      "1.e3",      "0x10", "1_000", " 1",    "1 ",
        "NaN", "Infinity", "-Infinity", "1,5",  "--1",   "1e1.5", "\xEF\xBC\x91"}) {
    EXPECT_EQ(MicrosError(bad), DecimalError::kSyntax) << bad;
  }
}

TEST(ParseNonNegativeIntegerTest, WholeNumbers) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  auto ok = [&](std::string_view text) {
    DecimalInt r = ParseNonNegativeInteger(text, max);
    EXPECT_OK(r) << text;
    return r.value;
  };
  EXPECT_EQ(ok("0"), 0);
  EXPECT_EQ(ok("42"), 42);
  EXPECT_EQ(ok("1.0"), 1);
  EXPECT_EQ(ok("1e3"), 1000);
  EXPECT_EQ(ok("1.5e1"), 15);
  EXPECT_EQ(ok("-0"), 0);
  EXPECT_EQ(ok("9223372036854775807"), max);
  EXPECT_EQ(ok("1771524000"), 1771524000);
}

TEST(ParseNonNegativeIntegerTest, Errors) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  auto err = [&](std::string_view text) { return ParseNonNegativeInteger(text, max).error; };
  EXPECT_EQ(err("1.5"), DecimalError::kFraction);
  EXPECT_EQ(err("0.1"), DecimalError::kFraction);
  EXPECT_EQ(err("1e-1"), DecimalError::kFraction);
  EXPECT_EQ(err("-1.5"), DecimalError::kFraction);  // fraction is checked first
  EXPECT_EQ(err("-1"), DecimalError::kNegative);
  EXPECT_EQ(err("-1e3"), DecimalError::kNegative);
  EXPECT_EQ(err("9223372036854775808"), DecimalError::kTooLarge);
  EXPECT_EQ(err("99999999999999999999999"), DecimalError::kTooLarge);
  EXPECT_EQ(err("1e400"), DecimalError::kTooLarge);
  EXPECT_EQ(err("abc"), DecimalError::kSyntax);
  EXPECT_EQ(ParseNonNegativeInteger("11", 10).error, DecimalError::kTooLarge);
  EXPECT_OK(ParseNonNegativeInteger("10", 10));
}

TEST(FormatMicrosTest, ShortestExactText) {
  EXPECT_EQ(FormatMicros(0), "0");
  EXPECT_EQ(FormatMicros(49'990'000), "49.99");
  EXPECT_EQ(FormatMicros(1), "0.000001");
  EXPECT_EQ(FormatMicros(10), "0.00001");
  EXPECT_EQ(FormatMicros(1'000'000), "1");
  EXPECT_EQ(FormatMicros(1'500'000), "1.5");
  EXPECT_EQ(FormatMicros(kMax), "1000000000000");
  EXPECT_EQ(FormatMicros(999'999'999'999'999'999), "999999999999.999999");
  EXPECT_EQ(FormatMicros(-1'500'000), "-1.5");
  EXPECT_EQ(FormatMicros(-1), "-0.000001");
  EXPECT_EQ(FormatMicros(std::numeric_limits<int64_t>::min()), "-9223372036854.775808");
  EXPECT_EQ(FormatMicros(std::numeric_limits<int64_t>::max()), "9223372036854.775807");
}

TEST(FormatMicrosTest, RoundTripsThroughParse) {
  for (int64_t m : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{49'990'000}, int64_t{123'456'789},
                    int64_t{100'000}, kMax, int64_t{999'999'999'999'999'999}}) {
    EXPECT_EQ(Micros(FormatMicros(m)), m) << FormatMicros(m);
  }
}

}  // namespace
}  // namespace thrad
