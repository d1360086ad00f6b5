#include "store/rollup.h"

#include <gtest/gtest.h>

#include "store/rollup_sql.h"
#include "store/store_test_util.h"

namespace thrad {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1'000'000;

TEST(RollupTest, BucketsAreQuarterHoursFlooredAlsoBefore1970) {
  EXPECT_EQ(RollupBucket(0), 0);
  EXPECT_EQ(RollupBucket(kRollupBucketMicros - 1), 0);
  EXPECT_EQ(RollupBucket(kRollupBucketMicros), kRollupBucketMicros);
  EXPECT_EQ(RollupBucket(-1), -kRollupBucketMicros);
}

TEST(RollupTest, LatencyBucketsIncludeTheirUpperBound) {
  EXPECT_EQ(LatencyBucket(-1), 0);
  EXPECT_EQ(LatencyBucket(0), 1);
  EXPECT_EQ(LatencyBucket(kHour), 1);
  EXPECT_EQ(LatencyBucket(kHour + 1), 2);
  EXPECT_EQ(LatencyBucket(24 * kHour), 2);  // exactly 24 h counts in 1d
  EXPECT_EQ(LatencyBucket(7 * 24 * kHour), 3);
  EXPECT_EQ(LatencyBucket(30 * 24 * kHour), 4);
  EXPECT_EQ(LatencyBucket(30 * 24 * kHour + 1), 5);
}

// An hour plan's row counts where it is added (+) and where it is taken from (-), never in a
// period it is both taken from and added back to.
TEST(RollupTest, AnHourPlanRowsPeriodsAndSigns) {
  auto periods = [](std::optional<int64_t> plus, std::optional<int64_t> minus) {
    std::vector<std::pair<int64_t, int>> out;
    for (const SignedPeriod& p : RollupRowPeriods(plus, minus)) out.emplace_back(p.period, p.sign);
    return out;
  };
  using V = std::vector<std::pair<int64_t, int>>;
  EXPECT_EQ(periods(5, 3), (V{{5, 1}, {3, -1}}));
  EXPECT_EQ(periods(5, std::nullopt), (V{{5, 1}}));   // a day row, or outside the day rows read
  EXPECT_EQ(periods(std::nullopt, 3), (V{{3, -1}}));  // outside the range: only taken away
  EXPECT_EQ(periods(4, 4), V{});
  EXPECT_EQ(periods(std::nullopt, std::nullopt), V{});
  EXPECT_EQ(periods(0, std::nullopt), (V{{0, 1}}));  // a total's period is 0
}

TEST(RollupTest, ExactDecimalText) {
  EXPECT_EQ(FormatMicros128(0), "0");
  EXPECT_EQ(FormatMicros128(10'500'000), "10.5");
  EXPECT_EQ(FormatMicros128(1), "0.000001");
  EXPECT_EQ(FormatMicros128(-1'500'000), "-1.5");
  const Micros128 big = Micros128{1'000'000'000'000'000'000} * 100 + 7;  // past 2^63
  EXPECT_EQ(FormatMicros128(big), "100000000000000.000007");
  // Both ends of the type, and each side of 2^64 (where the digits switch to 64-bit division).
  const Micros128 max128 = static_cast<Micros128>(~static_cast<unsigned __int128>(0) >> 1);
  EXPECT_EQ(FormatMicros128(max128), "170141183460469231731687303715884.105727");
  EXPECT_EQ(FormatMicros128(-max128 - 1), "-170141183460469231731687303715884.105728");
  const Micros128 two64 = Micros128{1} << 64;
  EXPECT_EQ(FormatMicros128(two64 - 1), "18446744073709.551615");
  EXPECT_EQ(FormatMicros128(two64), "18446744073709.551616");
  EXPECT_EQ(FormatMicros128(-two64), "-18446744073709.551616");
  EXPECT_EQ(FormatMicros128(999'999), "0.999999");
  EXPECT_EQ(FormatMicros128(1'000'000), "1");
  EXPECT_EQ(FormatMicros128(-1), "-0.000001");
  std::string text = "x=";
  AppendMicros128(text, 12'340'000);
  EXPECT_EQ(text, "x=12.34");
  EXPECT_EQ(ParseMicros128("100000000000000.000007"), big);
  EXPECT_EQ(ParseMicros128("49.990000"), 49'990'000);
  EXPECT_EQ(ParseMicros128("3"), 3'000'000);
  EXPECT_FALSE(ParseMicros128("1.0000001").has_value());
  EXPECT_FALSE(ParseMicros128("x").has_value());
  EXPECT_EQ(RollupDimKey(std::nullopt), "");
  EXPECT_EQ(RollupDimKey(std::string()), "=");
  EXPECT_EQ(RollupDimValue("=abc"), "abc");
  EXPECT_EQ(RollupDimValue("="), "");
  EXPECT_EQ(RollupDimValue(""), std::nullopt);
}

TEST(RollupTest, OnlyStoredRecordsOfOkOpsCount) {
  WriteOp events = test::EventOp({test::Event("p", "t", "a"), test::Event("p", "t", "b")});
  std::get<EventWrite>(events.payload).outcomes = {WriteOutcome::kStored, WriteOutcome::kDuplicate};
  WriteOp dry = test::EventOp({test::Event("p", "t", "c")}, /*dry_run=*/true);
  std::get<EventWrite>(dry.payload).outcomes = {WriteOutcome::kStored};
  WriteOp failed = test::EventOp({test::Event("p", "t", "d")});
  std::get<EventWrite>(failed.payload).outcomes = {WriteOutcome::kStored};
  failed.status = Status::Unavailable("x");
  ConversionRecord c = test::Conversion("p", "clk", "o");
  c.click_time = c.conversion_time - 25 * kHour;
  c.campaign_id = "cmp";
  WriteOp conv = test::ConversionOp(c);
  std::get<ConversionWrite>(conv.payload).outcome = WriteOutcome::kStored;
  WriteOp conv2 = test::ConversionOp(c);
  std::get<ConversionWrite>(conv2.payload).outcome = WriteOutcome::kStored;
  RollupDelta delta;
  std::vector<WriteOp*> ops = {&events, &dry, &failed, &conv, &conv2};
  AddStoredToRollups(ops, delta);
  ASSERT_EQ(delta.events.size(), 1u);
  EXPECT_EQ(delta.events.begin()->second, 1);
  ASSERT_EQ(delta.conversions.size(), 1u);  // one group: one upsert
  const ConversionCounts& counts = delta.conversions.begin()->second;
  EXPECT_EQ(counts.conversions, 2);
  EXPECT_EQ(counts.value_micros, 2 * 49'990'000);
  EXPECT_EQ(counts.latency[3], 2);  // 25 h: in 7d
}

TEST(RollupTest, EachRecordAlsoCountsInItsUtcDayOncePerGrouping) {
  constexpr int64_t kDay = 24 * kHour;
  EXPECT_EQ(RollupDay(0), 0);
  EXPECT_EQ(RollupDay(kDay - 1), 0);
  EXPECT_EQ(RollupDay(-1), -kDay);
  RollupDelta delta;
  ClickRecord a = test::Click("p", "clk_a", "b", "cmp_1");
  a.tag_id = "pub_1";
  a.created_at = 20 * kDay + 23 * kHour;
  ClickRecord b = a;  // the same day and campaign, another tag, filtered
  b.tag_id = "pub_2";
  b.filter_reason = "bot";
  b.created_at = 20 * kDay + 1;
  AddClickToRollups(a, delta);
  AddClickToRollups(b, delta);
  EXPECT_EQ(delta.clicks.size(), 2u);
  // Grouping 1 (campaign): one row; 2 (tag): two; 3 (both): two.
  GroupedRollupDelta days = DayRollupsOf(delta);
  ASSERT_EQ(days.clicks.size(), 5u);
  ClickRollupKey campaign_only{"p", 20 * kDay, "cmp_1", std::nullopt};
  const ClickCounts& by_campaign = days.clicks.at({1, campaign_only});
  EXPECT_EQ(by_campaign.clicks, 2);
  EXPECT_EQ(by_campaign.filtered_clicks, 1);
  ClickRollupKey tag_only{"p", 20 * kDay, std::nullopt, "pub_2"};
  EXPECT_EQ(days.clicks.at({2, tag_only}).filtered_clicks, 1);

  ConversionRecord c = test::Conversion("p", "clk_a", "o");
  c.campaign_id = "cmp_1";
  c.click_tag_id = "pub_1";
  c.conversion_time = -1;  // the day before 1970
  AddConversionToRollups(c, delta);
  days = DayRollupsOf(delta);
  ASSERT_EQ(days.conversions.size(), kConversionDayGroupings.size());
  for (const auto& [key, counts] : days.conversions) {
    EXPECT_EQ(key.key.bucket, -kDay);
    EXPECT_EQ(key.key.currency, "USD");  // every grouping keeps the currency
    EXPECT_EQ(key.key.campaign_id.has_value(), (key.kept & 1) != 0);
    EXPECT_EQ(key.key.event_type.empty(), (key.kept & 2) == 0);
    EXPECT_EQ(key.key.click_tag_id.has_value(), (key.kept & 8) != 0);
    EXPECT_EQ(counts.value_micros, c.value_micros);
  }
  EventRecord e = test::Event("p", "t", "e1");
  AddEventToRollups(e, delta);
  days = DayRollupsOf(delta);
  ASSERT_EQ(days.events.size(), 1u);
  EXPECT_EQ(days.events.begin()->first.key.event_name, e.event_name);  // keeps both
}

TEST(RollupTest, ReportsPickTheSmallestGroupingKeepingWhatTheyNeed) {
  EXPECT_EQ(DayGrouping(kClickDayGroupings, 0), 1);
  EXPECT_EQ(DayGrouping(kClickDayGroupings, 2), 2);
  EXPECT_EQ(DayGrouping(kClickDayGroupings, 3), 3);
  EXPECT_EQ(DayGrouping(kConversionDayGroupings, 4), 6);       // currency
  EXPECT_EQ(DayGrouping(kConversionDayGroupings, 5), 5);       // campaign, currency
  EXPECT_EQ(DayGrouping(kConversionDayGroupings, 4 | 2), 6);   // event_type, currency
  EXPECT_EQ(DayGrouping(kConversionDayGroupings, 4 | 3), 7);   // campaign, event_type
  EXPECT_EQ(DayGrouping(kConversionDayGroupings, 4 | 9), 15);  // campaign, click tag
  EXPECT_EQ(DayGrouping(kEventDayGroupings, 0), 3);
}

TEST(RollupTest, RangesUseDaysOnlyWhereAWholeUtcDayLiesInOnePeriod) {
  constexpr int64_t kDay = 24 * kHour;
  const int64_t d0 = 20000 * kDay;
  RollupQuery q;
  q.from_bucket = d0 + 6 * kHour;
  q.to_bucket = d0 + 3 * kDay + 6 * kHour;
  q.by_bucket = false;  // a total: every whole day inside the range
  EXPECT_EQ(RollupRanges(q), (std::vector<RollupRange>{{d0 + 6 * kHour, d0 + kDay, false},
                                                       {d0 + kDay, d0 + 3 * kDay, true},
                                                       {d0 + 3 * kDay, q.to_bucket, false}}));
  // UTC days as periods: the whole days from days, the partial edges from quarter hours.
  q.by_bucket = true;
  q.periods = {d0, d0 + kDay, d0 + 2 * kDay, d0 + 3 * kDay};
  EXPECT_EQ(RollupRanges(q), (std::vector<RollupRange>{{d0 + 6 * kHour, d0 + kDay, false},
                                                       {d0 + kDay, d0 + 3 * kDay, true},
                                                       {d0 + 3 * kDay, q.to_bucket, false}}));
  // New York's days (UTC-5): no UTC day lies inside one of them.
  q.from_bucket = d0 + 5 * kHour;
  q.to_bucket = d0 + 3 * kDay + 5 * kHour;
  q.periods = {d0 + 5 * kHour, d0 + kDay + 5 * kHour, d0 + 2 * kDay + 5 * kHour};
  EXPECT_EQ(RollupRanges(q), (std::vector<RollupRange>{{q.from_bucket, q.to_bucket, false}}));
  // Hours: never a whole day.
  q.periods = {d0 + 5 * kHour};
  for (int h = 1; h < 72; ++h) q.periods.push_back(d0 + (5 + h) * kHour);
  EXPECT_EQ(RollupRanges(q).size(), 1u);
  // By bucket without periods: every quarter hour its own row.
  q.periods.clear();
  EXPECT_EQ(RollupRanges(q), (std::vector<RollupRange>{{q.from_bucket, q.to_bucket, false}}));
  // A week of New York time (one period) holds six whole UTC days.
  q.periods = {d0 + 5 * kHour};
  q.to_bucket = d0 + 7 * kDay + 5 * kHour;
  EXPECT_EQ(RollupRanges(q), (std::vector<RollupRange>{{d0 + 5 * kHour, d0 + kDay, false},
                                                       {d0 + kDay, d0 + 7 * kDay, true},
                                                       {d0 + 7 * kDay, q.to_bucket, false}}));
  q.to_bucket = q.from_bucket;
  EXPECT_TRUE(RollupRanges(q).empty());
}

TEST(RollupTest, EachRecordAlsoCountsInItsUtcHourWithItsHourOfTheDay) {
  constexpr int64_t kDay = 24 * kHour;
  EXPECT_EQ(RollupHour(kHour - 1), 0);
  EXPECT_EQ(RollupHour(-1), -kHour);
  EXPECT_EQ(RollupHourOfDay(20 * kDay + 23 * kHour + 59), 23);
  EXPECT_EQ(RollupHourOfDay(-1), 23);  // 1969-12-31T23:59:59.999999Z
  EXPECT_EQ(RollupHourOfDay(0), 0);
  RollupDelta delta;
  ClickRecord a = test::Click("p", "clk_a", "b", "cmp_1");
  a.tag_id = "pub_1";
  a.created_at = 20 * kDay + 4 * kHour + 50 * 60'000'000LL;  // 04:50
  ClickRecord b = a;                                         // the same hour, another quarter
  b.created_at = 20 * kDay + 4 * kHour;
  ClickRecord c = a;  // the next hour
  c.created_at = 20 * kDay + 5 * kHour;
  for (const ClickRecord* r : {&a, &b, &c}) AddClickToRollups(*r, delta);
  EXPECT_EQ(delta.clicks.size(), 3u);
  // One grouping, every dimension: one row per hour here.
  GroupedRollupDelta hours = HourRollupsOf(delta);
  ASSERT_EQ(hours.clicks.size(), 2u);
  ClickRollupKey four{"p", 20 * kDay + 4 * kHour, "cmp_1", "pub_1"};
  EXPECT_EQ(hours.clicks.at({3, four}).clicks, 2);
  ClickRollupKey five{"p", 20 * kDay + 5 * kHour, "cmp_1", "pub_1"};
  EXPECT_EQ(hours.clicks.at({3, five}).clicks, 1);
  ConversionRecord v = test::Conversion("p", "clk_a", "o");
  v.conversion_time = 20 * kDay + 23 * kHour;
  AddConversionToRollups(v, delta);
  hours = HourRollupsOf(delta);
  ASSERT_EQ(hours.conversions.size(), 1u);
  EXPECT_EQ(hours.conversions.begin()->first.kept, kConversionHourGroupings[0]);
  EXPECT_EQ(hours.conversions.begin()->first.key.currency, v.currency);
}

TEST(RollupTest, HourPlansCorrectTheHoursBetweenEachBoundaryAndItsNearestMidnight) {
  constexpr int64_t kDay = 24 * kHour;
  const int64_t d0 = 20000 * kDay;
  auto hods = [](int from, int to) {
    std::vector<int> out;
    for (int h = from; h < to; ++h) out.push_back(h);
    return out;
  };
  // New York's days across a change of offset (UTC-5, then UTC-4): the day rows from the UTC
  // midnight nearest to the first local midnight to the one nearest to the last; hours 0-4.
  RollupQuery q;
  q.from_bucket = d0 + 5 * kHour;
  q.to_bucket = d0 + 3 * kDay + 4 * kHour;
  q.periods = {d0 + 5 * kHour, d0 + kDay + 5 * kHour, d0 + 2 * kDay + 4 * kHour};
  std::optional<RollupHourPlan> plan = HourPlanOf(q);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->day_from, d0);
  EXPECT_EQ(plan->day_to, d0 + 3 * kDay);
  EXPECT_EQ(plan->hods, hods(0, 5));
  // The periods of the statement's rows (HourPlanRowPeriods): a day row in the period holding its
  // noon; an hour row added to the period it lies in, when inside the range, and taken from its
  // day row's, when that day row is read; a pending counter in its own period.
  auto periods = [&](const RollupQuery& query, HourPlanRowKind kind, int64_t bucket) {
    std::vector<std::pair<int64_t, int>> out;
    for (const SignedPeriod& p :
         HourPlanRowPeriods(query, *HourPlanOf(query), static_cast<int64_t>(kind), bucket)) {
      out.emplace_back(p.period, p.sign);
    }
    return out;
  };
  using Signed = std::vector<std::pair<int64_t, int>>;
  const int64_t p0 = q.periods[0], p1 = q.periods[1], p2 = q.periods[2];
  EXPECT_EQ(periods(q, HourPlanRowKind::kDay, d0), (Signed{{p0, 1}}));
  EXPECT_EQ(periods(q, HourPlanRowKind::kDay, d0 + 2 * kDay), (Signed{{p2, 1}}));
  // 02:00Z of the first day: before the range, only taken from its day row's period.
  EXPECT_EQ(periods(q, HourPlanRowKind::kHour, d0 + 2 * kHour), (Signed{{p0, -1}}));
  // 02:00Z of the second day: in the first local day, taken from the second's.
  EXPECT_EQ(periods(q, HourPlanRowKind::kHour, d0 + kDay + 2 * kHour), (Signed{{p0, 1}, {p1, -1}}));
  // 04:00Z of the third day (UTC-4 there): the third local day's first hour, taken from it: none.
  EXPECT_EQ(periods(q, HourPlanRowKind::kHour, d0 + 2 * kDay + 4 * kHour), Signed{});
  // 02:00Z after the last day row: in the last local day, no day row to take it from.
  EXPECT_EQ(periods(q, HourPlanRowKind::kHour, d0 + 3 * kDay + 2 * kHour), (Signed{{p2, 1}}));
  EXPECT_EQ(periods(q, HourPlanRowKind::kPending, d0 + kDay + 2 * kHour), (Signed{{p0, 1}}));
  // The same range as one total: only its ends need correcting.
  RollupQuery total = q;
  total.by_bucket = false;
  total.to_bucket = d0 + 3 * kDay + 3 * kHour;
  ASSERT_TRUE(HourPlanOf(total));
  EXPECT_EQ(HourPlanOf(total)->hods, hods(0, 5));
  // A total's rows are in its one period (0): an hour row inside the range and its day row's
  // is added and taken there, so it counts nowhere; one outside the range is only taken.
  EXPECT_EQ(periods(total, HourPlanRowKind::kDay, d0 + kDay), (Signed{{0, 1}}));
  EXPECT_EQ(periods(total, HourPlanRowKind::kHour, d0 + kDay + 2 * kHour), Signed{});
  EXPECT_EQ(periods(total, HourPlanRowKind::kHour, d0 + 2 * kHour), (Signed{{0, -1}}));
  // Tokyo's (UTC+9, local midnight at 15:00Z): the midnight after each boundary is the nearest.
  q.from_bucket = d0 - 9 * kHour;
  q.to_bucket = d0 + 2 * kDay - 9 * kHour;
  q.periods = {q.from_bucket, d0 + kDay - 9 * kHour};
  plan = HourPlanOf(q);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->day_from, d0);
  EXPECT_EQ(plan->day_to, d0 + 2 * kDay);
  EXPECT_EQ(plan->hods, hods(15, 24));
  // Not for UTC days (whole days already), India's :30 offset, periods of hours, a range
  // holding no whole day row, or by bucket without periods.
  q.from_bucket = d0;
  q.to_bucket = d0 + 2 * kDay;
  q.periods = {d0, d0 + kDay};
  EXPECT_FALSE(HourPlanOf(q));
  q.from_bucket = d0 - 5 * kHour - 30 * 60'000'000LL;
  q.periods = {q.from_bucket, q.from_bucket + kDay};
  EXPECT_FALSE(HourPlanOf(q));
  q.from_bucket = d0 + 5 * kHour;
  q.periods.clear();
  for (int h = 0; h < 40; ++h) q.periods.push_back(q.from_bucket + h * kHour);
  EXPECT_FALSE(HourPlanOf(q));
  q.periods = {q.from_bucket};
  q.to_bucket = d0 + 11 * kHour;
  EXPECT_FALSE(HourPlanOf(q));
  q.to_bucket = d0 + 2 * kDay;
  q.periods.clear();
  EXPECT_FALSE(HourPlanOf(q));
}

// A report's statement text depends on its shape, not on its range: the range's pieces are
// parameters (RollupStatement), so a store keeps one prepared statement per shape. Literal
// bounds made every range a new cached statement on SQLite's reports connection, kept for the
// connection's life: 5,000 calls with ranges a quarter hour apart grew the server by 165 MB
// (docs/benchmarks.md, session 19).
TEST(RollupTest, StatementTextsDependOnTheShapeNotOnTheRange) {
  constexpr int64_t kDay = 24 * kHour;
  const int64_t d0 = 20000 * kDay;
  auto days = [&](int64_t from, int n, int64_t offset) {
    RollupQuery q;
    q.partner_id = "p1";
    q.from_bucket = from + offset;
    q.to_bucket = from + n * kDay + offset;
    for (int i = 0; i < n; ++i) q.periods.push_back(from + i * kDay + offset);
    q.dims[0] = true;
    return q;
  };
  for (RollupSqlDialect d : {RollupSqlDialect::kSqlite, RollupSqlDialect::kPostgres}) {
    // UTC days (whole day rows), a week later; New York's days (an hour plan), a week later.
    for (int64_t offset : {int64_t{0}, 5 * kHour}) {
      const RollupQuery a = days(d0, 30, offset), b = days(d0 + 7 * kDay, 30, offset);
      for (auto sql : {EventRollupSql, ClickRollupSql, ConversionRollupSql}) {
        const RollupStatement sa = sql(a, d), sb = sql(b, d);
        EXPECT_EQ(sa.sql, sb.sql);
        EXPECT_NE(sa.bounds, sb.bounds);
        // The bounds come right after the partner (parameter 4): UTC days need no starts
        // (computed from the bucket), nor do hour plans (the store maps their rows).
        EXPECT_EQ(sa.first_bound, 4);
        ASSERT_FALSE(sa.bounds.empty());
        for (size_t i = 0; i < sa.bounds.size(); ++i) {
          const std::string n = std::to_string(sa.first_bound + static_cast<int>(i));
          EXPECT_NE(sa.sql.find((d == RollupSqlDialect::kSqlite ? "?" : "$") + n),
                    std::string::npos)
              << n;
        }
        // No bound is written into the text.
        for (int64_t v : sb.bounds) EXPECT_EQ(sb.sql.find(std::to_string(v)), std::string::npos);
      }
    }
    // Conversions without their latency counters (the campaigns report) read none of them.
    for (int64_t offset : {int64_t{0}, 5 * kHour}) {
      RollupQuery q = days(d0, 30, offset);
      EXPECT_NE(ConversionRollupSql(q, d).sql.find("latency_1h"), std::string::npos);
      q.latency = false;
      EXPECT_EQ(ConversionRollupSql(q, d).sql.find("latency_"), std::string::npos);
    }
    // UTC days: each row's period is its UTC day, computed; an hour plan's rows (New York) are
    // mapped by the store (HourPlanRowPeriods); any other periods (India's :30) are searched.
    const int64_t india = 6 * kHour + 30 * 60'000'000LL;
    const RollupQuery utc = days(d0, 30, 0), ny = days(d0, 30, 5 * kHour),
                      kolkata = days(d0, 30, india);
    EXPECT_EQ(RollupPeriodsParam(utc), 0);
    EXPECT_EQ(RollupPeriodsParam(ny), 0);
    EXPECT_EQ(RollupPeriodsParam(kolkata), 4);
    const std::string search = d == RollupSqlDialect::kSqlite ? "thrad_period(" : "width_bucket(";
    EXPECT_EQ(ClickRollupSql(utc, d).sql.find(search), std::string::npos);
    EXPECT_NE(ClickRollupSql(utc, d).sql.find("% 86400000000"), std::string::npos);
    EXPECT_EQ(ClickRollupSql(ny, d).sql.find(search), std::string::npos);
    EXPECT_NE(ClickRollupSql(kolkata, d).sql.find(search), std::string::npos);
    // Not UTC days: a range past its last period's day, or a gap between two periods.
    RollupQuery longer = utc;
    longer.to_bucket += kDay;
    EXPECT_EQ(RollupPeriodsParam(longer), 4);
    RollupQuery gap = utc;
    gap.periods.erase(gap.periods.begin() + 3);
    EXPECT_EQ(RollupPeriodsParam(gap), 4);
    // Without periods or a partner the bounds follow parameter 2: here a total over India's
    // days (a :30 offset: no hour plan), its pieces in order.
    RollupQuery total = days(d0, 3, india);
    total.by_bucket = false;
    total.partner_id.reset();
    EXPECT_EQ(ClickRollupSql(total, d).first_bound, 3);
    EXPECT_EQ(ClickRollupSql(total, d).bounds,
              (std::vector<int64_t>{d0 + india, d0 + kDay, d0 + kDay, d0 + 3 * kDay, d0 + 3 * kDay,
                                    d0 + 3 * kDay + india}));
  }
}

}  // namespace
}  // namespace thrad
