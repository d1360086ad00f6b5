#include "common/time_format.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/status_matchers.h"

namespace thrad {
namespace {

constexpr int64_t kSec = 1'000'000;
// 2026-02-19T18:00:00Z
constexpr int64_t kRef = 1771524000 * kSec;

int64_t Parse(const std::string& text) {
  Result<int64_t> r = ParseIsoDateTime(text);
  EXPECT_OK(r) << text << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

std::string Error(const std::string& text) {
  Result<int64_t> r = ParseIsoDateTime(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? *r : 0);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(ParseIsoDateTimeTest, EpochAndReference) {
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Parse("2026-02-19T18:00:00Z"), kRef);
}

TEST(ParseIsoDateTimeTest, NoOffsetIsUtc) { EXPECT_EQ(Parse("2026-02-19T18:00:00"), kRef); }

TEST(ParseIsoDateTimeTest, SpaceSeparator) { EXPECT_EQ(Parse("2026-02-19 18:00:00Z"), kRef); }

TEST(ParseIsoDateTimeTest, LowercaseTAndZ) {
  EXPECT_EQ(Parse("2026-02-19t18:00:00z"), kRef);
  EXPECT_EQ(Parse("2026-02-19t18:00:00"), kRef);
}

TEST(ParseIsoDateTimeTest, Offsets) {
  EXPECT_EQ(Parse("2026-02-19T20:00:00+02:00"), kRef);
  EXPECT_EQ(Parse("2026-02-19T13:00:00-05:00"), kRef);
  EXPECT_EQ(Parse("2026-02-19T23:30:00+05:30"), kRef);
  EXPECT_EQ(Parse("2026-02-19T18:00:00+00:00"), kRef);
  EXPECT_EQ(Parse("2026-02-19T18:00:00-00:00"), kRef);
  EXPECT_EQ(Parse("2026-02-20T17:59:00+23:59"), kRef);
  EXPECT_EQ(Parse("2026-02-18T18:01:00-23:59"), kRef);
}

TEST(ParseIsoDateTimeTest, OffsetCrossesDayMonthAndYear) {
  EXPECT_EQ(Parse("2027-01-01T01:00:00+02:00"), Parse("2026-12-31T23:00:00Z"));
  EXPECT_EQ(Parse("2026-02-28T22:00:00-03:00"), Parse("2026-03-01T01:00:00Z"));
}

TEST(ParseIsoDateTimeTest, FractionToMicros) {
  EXPECT_EQ(Parse("2026-02-19T18:00:00.5Z"), kRef + 500000);
  EXPECT_EQ(Parse("2026-02-19T18:00:00.123Z"), kRef + 123000);
  EXPECT_EQ(Parse("2026-02-19T18:00:00.123456Z"), kRef + 123456);
  EXPECT_EQ(Parse("2026-02-19T18:00:00.000001"), kRef + 1);
  EXPECT_EQ(Parse("2026-02-19T18:00:00.000000Z"), kRef);
}

TEST(ParseIsoDateTimeTest, FractionBeyondMicrosIsTruncated) {
  EXPECT_EQ(Parse("2026-02-19T18:00:00.1234569Z"), kRef + 123456);
  EXPECT_EQ(Parse("2026-02-19T18:00:00.9999999999999999999999Z"), kRef + 999999);
  EXPECT_EQ(Parse("2026-02-19T18:00:00.0000009+00:00"), kRef);
}

TEST(ParseIsoDateTimeTest, FractionWithOffset) {
  EXPECT_EQ(Parse("2026-02-19T19:00:00.25+01:00"), kRef + 250000);
}

TEST(ParseIsoDateTimeTest, LeapDays) {
  EXPECT_EQ(Parse("2024-02-29T00:00:00Z"), 1709164800 * kSec);
  EXPECT_EQ(Parse("2000-02-29T00:00:00Z"), 951782400 * kSec);  // divisible by 400
  EXPECT_EQ(Error("2023-02-29T00:00:00Z"), "invalid day for the month");
  EXPECT_EQ(Error("1900-02-29T00:00:00Z"), "invalid day for the month");  // by 100, not 400
  EXPECT_EQ(Error("2024-02-30T00:00:00Z"), "invalid day for the month");
}

TEST(ParseIsoDateTimeTest, DaysPerMonth) {
  EXPECT_EQ(Parse("2026-04-30T00:00:00Z") + 86400 * kSec, Parse("2026-05-01T00:00:00Z"));
  EXPECT_EQ(Error("2026-04-31T00:00:00Z"), "invalid day for the month");
  EXPECT_EQ(Error("2026-06-31T00:00:00Z"), "invalid day for the month");
  EXPECT_EQ(Parse("2026-01-31T00:00:00Z") + 86400 * kSec, Parse("2026-02-01T00:00:00Z"));
  EXPECT_EQ(Error("2026-01-32T00:00:00Z"), "invalid day for the month");
  EXPECT_EQ(Error("2026-01-00T00:00:00Z"), "invalid day for the month");
}

TEST(ParseIsoDateTimeTest, InvalidMonth) {
  EXPECT_EQ(Error("2026-13-01T00:00:00Z"), "invalid month");
  EXPECT_EQ(Error("2026-00-01T00:00:00Z"), "invalid month");
}

TEST(ParseIsoDateTimeTest, YearRange) {
  EXPECT_EQ(Parse("0001-01-01T00:00:00Z"), -62135596800 * kSec);
  EXPECT_EQ(Parse("9999-12-31T23:59:59.999999Z"), 253402300799 * kSec + 999999);
  EXPECT_EQ(Error("0000-01-01T00:00:00Z"), "year must be 0001-9999");
  EXPECT_EQ(Error("10000-01-01T00:00:00Z"), "expected a date YYYY-MM-DD");
  EXPECT_EQ(Error("-2026-01-01T00:00:00Z"), "expected a date YYYY-MM-DD");
}

TEST(ParseIsoDateTimeTest, TimeFieldRanges) {
  EXPECT_EQ(Parse("2026-02-19T23:59:59Z"), kRef + (5 * 3600 + 59 * 60 + 59) * kSec);
  EXPECT_EQ(Error("2026-02-19T24:00:00Z"), "invalid hour");
  EXPECT_EQ(Error("2026-02-19T18:60:00Z"), "invalid minute");
  EXPECT_EQ(Error("2026-02-19T18:00:60Z"), "invalid second");  // no leap seconds
}

TEST(ParseIsoDateTimeTest, OffsetRanges) {
  EXPECT_EQ(Error("2026-02-19T18:00:00+24:00"), "invalid UTC offset");
  EXPECT_EQ(Error("2026-02-19T18:00:00+01:60"), "invalid UTC offset");
  EXPECT_EQ(Error("2026-02-19T18:00:00+0100"), "expected a UTC offset +HH:MM or -HH:MM");
  EXPECT_EQ(Error("2026-02-19T18:00:00+01"), "expected a UTC offset +HH:MM or -HH:MM");
  EXPECT_EQ(Error("2026-02-19T18:00:00+1:00"), "expected a UTC offset +HH:MM or -HH:MM");
  EXPECT_EQ(Error("2026-02-19T18:00:00+01:0"), "expected a UTC offset +HH:MM or -HH:MM");
}

TEST(ParseIsoDateTimeTest, SeparatorAndShapeErrors) {
  EXPECT_EQ(Error("2026-02-19"), "expected 'T' or a space between date and time");
  EXPECT_EQ(Error("2026-02-19X18:00:00Z"), "expected 'T' or a space between date and time");
  EXPECT_EQ(Error("2026-02-19T18:00Z"), "expected a time HH:MM:SS");
  EXPECT_EQ(Error("2026-02-19T18:00"), "expected a time HH:MM:SS");
  EXPECT_EQ(Error("2026-02-19T8:00:00Z"), "expected a time HH:MM:SS");
  EXPECT_EQ(Error("2026-2-19T18:00:00Z"), "expected a date YYYY-MM-DD");
  EXPECT_EQ(Error("2026/02/19T18:00:00Z"), "expected a date YYYY-MM-DD");
  EXPECT_EQ(Error("20260219T180000Z"), "expected a date YYYY-MM-DD");
  EXPECT_EQ(Error(""), "expected a date YYYY-MM-DD");
}

TEST(ParseIsoDateTimeTest, FractionErrors) {
  EXPECT_EQ(Error("2026-02-19T18:00:00.Z"), "expected digits after '.'");
  EXPECT_EQ(Error("2026-02-19T18:00:00."), "expected digits after '.'");
  EXPECT_EQ(Error("2026-02-19T18:00:00,5Z"), "expected 'Z', a UTC offset or the end of the text");
}

TEST(ParseIsoDateTimeTest, TrailingAndSurroundingText) {
  EXPECT_EQ(Error("2026-02-19T18:00:00Zjunk"), "unexpected text after the date-time");
  EXPECT_EQ(Error("2026-02-19T18:00:00+01:00 "), "unexpected text after the date-time");
  EXPECT_EQ(Error("2026-02-19T18:00:00 "), "expected 'Z', a UTC offset or the end of the text");
  EXPECT_EQ(Error(" 2026-02-19T18:00:00Z"), "expected a date YYYY-MM-DD");
  EXPECT_EQ(Error("2026-02-19T18:00:00ZZ"), "unexpected text after the date-time");
}

TEST(ParseIsoDateTimeTest, NonAsciiDigitsAreRejected) {
  EXPECT_FALSE(ParseIsoDateTime("２０２６-02-19T18:00:00Z").ok());
  EXPECT_FALSE(ParseIsoDateTime("2026-02-19T18:00:00\xE2\x88\x92"
                                "05:00")
                   .ok());  // U+2212 MINUS SIGN
}

TEST(FormatRfc3339Test, WholeSeconds) {
  EXPECT_EQ(FormatRfc3339(kRef), "2026-02-19T18:00:00Z");
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
}

TEST(FormatRfc3339Test, FractionOnlyWhenNotWhole) {
  EXPECT_EQ(FormatRfc3339(kRef + 1), "2026-02-19T18:00:00.000001Z");
  EXPECT_EQ(FormatRfc3339(kRef + 250000), "2026-02-19T18:00:00.250000Z");
  EXPECT_EQ(FormatRfc3339(kRef + 999999), "2026-02-19T18:00:00.999999Z");
}

TEST(FormatRfc3339Test, BeforeEpochUsesFloor) {
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatRfc3339(-kSec), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(-86400 * kSec), "1969-12-31T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-62135596800 * kSec), "0001-01-01T00:00:00Z");
}

TEST(FormatRfc3339Test, LeapDayAndYearEnd) {
  EXPECT_EQ(FormatRfc3339(1709164800 * kSec), "2024-02-29T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(253402300799 * kSec + 999999), "9999-12-31T23:59:59.999999Z");
}

TEST(FormatRfc3339Test, RoundTrip) {
  for (int64_t t :
       {int64_t{0}, kRef, kRef + 1, kRef + 123456, int64_t{-1}, int64_t{951782400} * kSec,
        int64_t{-62135596800} * kSec, int64_t{253402300799} * kSec + 999999}) {
    EXPECT_EQ(Parse(FormatRfc3339(t)), t) << FormatRfc3339(t);
  }
  // Every day of a leap year and a common year.
  for (int64_t day = 0; day < 2 * 366; ++day) {
    const int64_t t = Parse("2023-01-01T00:00:00Z") + day * 86400 * kSec + 3723 * kSec;
    EXPECT_EQ(Parse(FormatRfc3339(t)), t);
  }
}

}  // namespace
}  // namespace thrad
