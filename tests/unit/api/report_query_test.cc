#include "api/report_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/query_params.h"
#include "common/time_format.h"

namespace thrad {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1'000'000;

int64_t At(const char* rfc3339) {
  Result<int64_t> t = ParseIsoDateTime(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : 0;
}

const ReportCaller kAcme{"acme", false};
const ReportCaller kAdmin{"ops", true};

std::vector<std::string> Locs(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const FieldError& e : errors) {
    out.push_back(std::get<std::string>(e.loc[1]) + ":" + e.type);
  }
  return out;
}

TEST(QueryParamsTest, DecodesFormEncoding) {
  auto p = ParseQueryParams("a=1&tz=America%2FNew_York&b=x+y&&c&d=");
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->size(), 5u);
  EXPECT_EQ((*p)[1].value, "America/New_York");
  EXPECT_EQ((*p)[2].value, "x y");
  EXPECT_FALSE((*p)[3].has_value);
  EXPECT_TRUE((*p)[4].has_value);
  EXPECT_FALSE(ParseQueryParams("a=%4").has_value());
  EXPECT_FALSE(ParseQueryParams("a=%zz").has_value());
}

TEST(ReportQueryTest, DatesAreWholeLocalDaysBothIncluded) {
  auto p = ParseReportQuery(ReportKind::kEvents,
                            "from=2026-03-08&to=2026-03-08&tz=America/New_York", kAcme);
  ASSERT_TRUE(p.ok()) << ::testing::PrintToString(Locs(p.errors));
  EXPECT_EQ(p.record.from, At("2026-03-08T05:00:00Z"));
  EXPECT_EQ(p.record.to, At("2026-03-09T04:00:00Z"));  // a 23-hour day (DST starts)
  EXPECT_EQ(p.record.to - p.record.from, 23 * kHour);
  EXPECT_EQ(p.record.partner_id, "acme");
  EXPECT_EQ(p.record.granularity, Granularity::kDay);

  auto fall = ParseReportQuery(ReportKind::kEvents,
                               "from=2026-11-01&to=2026-11-01&tz=America/New_York", kAcme);
  ASSERT_TRUE(fall.ok());
  EXPECT_EQ(fall.record.to - fall.record.from, 25 * kHour);  // DST ends

  auto instants = ParseReportQuery(
      ReportKind::kEvents, "from=2026-03-08T04:45:00Z&to=2026-03-08T06:00:00%2B01:00", kAcme);
  ASSERT_TRUE(instants.ok());
  EXPECT_EQ(instants.record.from, At("2026-03-08T04:45:00Z"));
  EXPECT_EQ(instants.record.to, At("2026-03-08T05:00:00Z"));
}

TEST(ReportQueryTest, EveryProblemIsListedAtItsParameter) {
  auto p = ParseReportQuery(ReportKind::kClicks,
                            "from=2026-13-01&tz=Nowhere/City&granularity=week&group_by=tag_id,"
                            "event_name&partner=other&x=1&tz=UTC",
                            kAcme);
  EXPECT_THAT(Locs(p.errors), ::testing::UnorderedElementsAre(
                                  "x:extra_forbidden", "tz:value_error",
                                  "tz:value_error",  // unknown, and given twice
                                  "from:datetime_parsing", "to:missing", "granularity:enum",
                                  "group_by:value_error", "partner:value_error"));
  auto range = ParseReportQuery(ReportKind::kEvents, "from=2025-01-01&to=2026-01-02", kAcme);
  EXPECT_THAT(Locs(range.errors), ::testing::ElementsAre("to:value_error"));
  auto ok366 = ParseReportQuery(ReportKind::kEvents, "from=2024-01-01&to=2024-12-31", kAcme);
  EXPECT_TRUE(ok366.ok());  // a leap year: 366 days
  auto backwards = ParseReportQuery(ReportKind::kEvents, "from=2026-01-02&to=2026-01-01", kAcme);
  EXPECT_THAT(Locs(backwards.errors), ::testing::ElementsAre("to:value_error"));
  auto quarter = ParseReportQuery(ReportKind::kEvents,
                                  "from=2026-01-01T00:10:00Z&to=2026-01-02T00:00:00Z", kAcme);
  EXPECT_THAT(Locs(quarter.errors), ::testing::ElementsAre("from:value_error"));
  auto repeated = ParseReportQuery(
      ReportKind::kEvents, "from=2026-01-01&to=2026-01-02&granularity=hour&granularity=day", kAcme);
  EXPECT_THAT(Locs(repeated.errors), ::testing::ElementsAre("granularity:value_error"));
}

TEST(ReportQueryTest, PartnerIsForAdminsOrOneself) {
  auto own =
      ParseReportQuery(ReportKind::kEvents, "from=2026-01-01&to=2026-01-01&partner=acme", kAcme);
  EXPECT_TRUE(own.ok());
  auto admin_all = ParseReportQuery(ReportKind::kEvents, "from=2026-01-01&to=2026-01-01", kAdmin);
  ASSERT_TRUE(admin_all.ok());
  EXPECT_FALSE(admin_all.record.partner_id.has_value());
  auto admin_one =
      ParseReportQuery(ReportKind::kEvents, "from=2026-01-01&to=2026-01-01&partner=acme", kAdmin);
  EXPECT_EQ(admin_one.record.partner_id, "acme");
}

TEST(ReportQueryTest, GroupByIsTheKindsList) {
  auto p = ParseReportQuery(ReportKind::kConversions,
                            "from=2026-01-01&to=2026-01-01&group_by=currency,campaign_id", kAcme);
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(p.record.group_by, ::testing::ElementsAre("currency", "campaign_id"));
  auto bad = ParseReportQuery(ReportKind::kConversions,
                              "from=2026-01-01&to=2026-01-01&group_by=tag_id", kAcme);
  EXPECT_THAT(Locs(bad.errors), ::testing::ElementsAre("group_by:value_error"));
}

TEST(ReportQueryTest, ConversionsQueryTakesLimitAndCursorAndAnyInstant) {
  auto p =
      ParseConversionsQuery("from=2026-01-01T00:00:00.5Z&to=2026-01-02&limit=7&cursor=s1.5", kAcme);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.record.limit, 7);
  EXPECT_EQ(p.record.cursor, "s1.5");
  EXPECT_EQ(p.record.from, At("2026-01-01T00:00:00.5Z"));
  auto bad = ParseConversionsQuery("from=2026-01-01&to=2026-01-02&limit=0", kAcme);
  EXPECT_THAT(Locs(bad.errors), ::testing::ElementsAre("limit:greater_than_equal"));
  bad = ParseConversionsQuery("from=2026-01-01&to=2026-01-02&limit=1001&granularity=day", kAcme);
  EXPECT_THAT(Locs(bad.errors), ::testing::UnorderedElementsAre("limit:less_than_equal",
                                                                "granularity:extra_forbidden"));
  bad = ParseConversionsQuery("from=2026-01-01&to=2026-01-02&limit=ten", kAcme);
  EXPECT_THAT(Locs(bad.errors), ::testing::ElementsAre("limit:int_parsing"));
}

TEST(ReportPeriodsTest, DaysAndHoursOfNewYorkAcrossDst) {
  const date::time_zone* ny = FindTimeZone("America/New_York");
  ASSERT_NE(ny, nullptr);
  // Spring forward, 2026-03-08: 02:00 EST becomes 03:00 EDT.
  EXPECT_EQ(PeriodStart(ny, Granularity::kDay, At("2026-03-09T03:59:59Z")),
            At("2026-03-08T05:00:00Z"));
  EXPECT_EQ(PeriodStart(ny, Granularity::kDay, At("2026-03-09T04:00:00Z")),
            At("2026-03-09T04:00:00Z"));
  EXPECT_EQ(FormatLocalRfc3339(ny, At("2026-03-08T05:00:00Z")), "2026-03-08T00:00:00-05:00");
  EXPECT_EQ(FormatLocalRfc3339(ny, At("2026-03-09T04:00:00Z")), "2026-03-09T00:00:00-04:00");
  // The hour after 01:00 EST is 03:00 EDT.
  EXPECT_EQ(FormatLocalRfc3339(ny, PeriodStart(ny, Granularity::kHour, At("2026-03-08T07:30:00Z"))),
            "2026-03-08T03:00:00-04:00");
  // Fall back, 2026-11-01: 01:00-02:00 happens twice, two hour periods.
  const int64_t first = PeriodStart(ny, Granularity::kHour, At("2026-11-01T05:45:00Z"));
  const int64_t second = PeriodStart(ny, Granularity::kHour, At("2026-11-01T06:15:00Z"));
  EXPECT_EQ(first, At("2026-11-01T05:00:00Z"));
  EXPECT_EQ(second, At("2026-11-01T06:00:00Z"));
  EXPECT_EQ(FormatLocalRfc3339(ny, first), "2026-11-01T01:00:00-04:00");
  EXPECT_EQ(FormatLocalRfc3339(ny, second), "2026-11-01T01:00:00-05:00");
  // Both are in the same (25-hour) day.
  EXPECT_EQ(PeriodStart(ny, Granularity::kDay, first), PeriodStart(ny, Granularity::kDay, second));
  EXPECT_EQ(PeriodStart(ny, Granularity::kDay, second), At("2026-11-01T04:00:00Z"));
}

TEST(ReportPeriodsTest, HalfAndQuarterHourZones) {
  const date::time_zone* kolkata = FindTimeZone("Asia/Kolkata");  // +05:30
  ASSERT_NE(kolkata, nullptr);
  EXPECT_EQ(PeriodStart(kolkata, Granularity::kHour, At("2026-01-01T00:45:00Z")),
            At("2026-01-01T00:30:00Z"));
  EXPECT_EQ(FormatLocalRfc3339(kolkata, At("2026-01-01T00:30:00Z")), "2026-01-01T06:00:00+05:30");
  const date::time_zone* kathmandu = FindTimeZone("Asia/Kathmandu");  // +05:45
  ASSERT_NE(kathmandu, nullptr);
  EXPECT_EQ(PeriodStart(kathmandu, Granularity::kDay, At("2026-01-01T12:00:00Z")),
            At("2025-12-31T18:15:00Z"));
  EXPECT_EQ(FindTimeZone("Not/AZone"), nullptr);
  EXPECT_EQ(FindTimeZone(""), nullptr);
}

// PeriodStarts against the definition: the distinct PeriodStart of every quarter hour of the
// range, over a year of zones with DST, half-hour DST (Lord Howe), +05:45, a date-line jump
// (Apia skipped 2011-12-30), and from/to inside a period.
TEST(ReportPeriodsTest, PeriodStartsAreEveryQuarterHoursPeriodInOrder) {
  constexpr int64_t kQuarter = kReportQuantumMicros;
  struct Case {
    const char* zone;
    const char* from;
    const char* to;
  };
  const Case cases[] = {
      {"America/New_York", "2026-01-01T05:00:00Z", "2027-01-01T05:00:00Z"},
      {"Australia/Lord_Howe", "2026-01-01T00:00:00Z", "2026-12-31T00:00:00Z"},
      {"Asia/Kathmandu", "2026-03-01T07:15:00Z", "2026-04-02T10:45:00Z"},
      {"Pacific/Apia", "2011-12-25T00:00:00Z", "2012-01-05T00:00:00Z"},
      {"UTC", "2026-10-31T00:00:00Z", "2026-11-30T00:00:00Z"},
  };
  for (const Case& c : cases) {
    const date::time_zone* tz = FindTimeZone(c.zone);
    ASSERT_NE(tz, nullptr) << c.zone;
    for (Granularity g : {Granularity::kDay, Granularity::kHour}) {
      std::vector<UnixMicros> want;
      for (int64_t t = At(c.from); t < At(c.to); t += kQuarter) {
        const UnixMicros p = PeriodStart(tz, g, t);
        if (want.empty() || want.back() != p) want.push_back(p);
      }
      EXPECT_EQ(PeriodStarts(tz, g, At(c.from), At(c.to)), want)
          << c.zone << " " << GranularityName(g);
    }
  }
  const date::time_zone* ny = FindTimeZone("America/New_York");
  EXPECT_TRUE(PeriodStarts(ny, Granularity::kTotal, 0, kQuarter).empty());
  EXPECT_TRUE(PeriodStarts(ny, Granularity::kDay, kQuarter, kQuarter).empty());
}

}  // namespace
}  // namespace thrad
