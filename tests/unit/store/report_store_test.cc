// Conformance (store_conformance.h): the reports role. Rollups count exactly what a commit
// stored (not duplicates, dry runs or failed ops), money sums stay exact past 64 bits, a click
// added by `clicks add` counts, a database with rows from before the rollups migration gets
// them counted, and raw conversions page by cursor without skipping or repeating a row.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <thread>
#include <tuple>

#include "store/rollup.h"
#include "store/rollup_sql.h"
#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

constexpr int64_t kMinute = int64_t{60} * 1'000'000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kT0 = 1771524000000000;  // 2026-02-19T18:00:00Z, a bucket start

template <typename Backend>
class ReportStoreTest : public Backend {
 protected:
  RollupQuery All(bool by_bucket = true) {
    RollupQuery q;
    q.partner_id = "p1";
    q.from_bucket = RollupBucket(kT0 - 1000 * kMinute);
    q.to_bucket = RollupBucket(kT0 + 1000 * kMinute);
    q.by_bucket = by_bucket;
    q.dims = {true, true, true, true};
    return q;
  }
  // The reads below add up the rows of each group and leave out a group that adds up to
  // nothing, as ReportStore's callers must (an hour plan's rows come once per period they count
  // in, negated where taken away).
  // (bucket, tag, name) -> events
  std::map<std::tuple<int64_t, std::string, std::string>, int64_t> Events(const RollupQuery& q) {
    std::map<std::tuple<int64_t, std::string, std::string>, int64_t> out;
    EXPECT_OK(this->store().ReadEventRollups(q, [&](const EventRollupRow& r) {
      out[{r.bucket, r.tag_id.value_or("-"), r.event_name.value_or("-")}] += r.events;
    }));
    std::erase_if(out, [](const auto& kv) { return kv.second == 0; });
    return out;
  }
  std::vector<ClickRollupRow> Clicks(const RollupQuery& q) {
    std::map<std::tuple<int64_t, std::optional<std::string>, std::optional<std::string>>,
             ClickRollupRow>
        groups;
    EXPECT_OK(this->store().ReadClickRollups(q, [&](const ClickRollupRow& r) {
      auto [it, added] = groups.try_emplace({r.bucket, r.campaign_id, r.tag_id}, r);
      if (!added) {
        it->second.clicks += r.clicks;
        it->second.filtered_clicks += r.filtered_clicks;
      }
    }));
    std::vector<ClickRollupRow> out;
    for (const auto& [key, r] : groups) {
      if (r.clicks != 0 || r.filtered_clicks != 0) out.push_back(r);
    }
    return out;
  }
  // Folds pending rollup counters (PostgreSQL; SQLite has none) and returns how many rows moved.
  size_t Fold() {
    Result<ReportStore::RollupFold> fold = this->store().FoldPendingRollups();
    EXPECT_OK(fold.status());
    if (!fold.ok()) return 0;
    EXPECT_FALSE(fold->more) << "a few rows never fill a fold's batch";
    return fold->moved;
  }
  static constexpr bool kPending = !std::is_same_v<Backend, SqliteStoreTest>;
  std::vector<ConversionRollupRow> Conversions(const RollupQuery& q) {
    std::map<std::tuple<int64_t, std::optional<std::string>, std::optional<std::string>,
                        std::string, std::optional<std::string>>,
             ConversionRollupRow>
        groups;
    EXPECT_OK(this->store().ReadConversionRollups(q, [&](const ConversionRollupRow& r) {
      auto [it, added] = groups.try_emplace(
          {r.bucket, r.campaign_id, r.event_type, r.currency, r.click_tag_id}, r);
      if (!added) {
        it->second.conversions += r.conversions;
        it->second.value_micros += r.value_micros;
        for (int i = 0; i < kLatencyBuckets; ++i) it->second.latency[i] += r.latency[i];
      }
    }));
    std::vector<ConversionRollupRow> out;
    for (const auto& [key, r] : groups) {
      if (r.conversions != 0 || r.value_micros != 0) out.push_back(r);
    }
    return out;
  }
};
TYPED_TEST_SUITE(ReportStoreTest, StoreBackends, StoreBackendNames);

TYPED_TEST(ReportStoreTest, EventRollupsCountStoredEventsOnly) {
  EventRecord a = Event("p1", "t1", "e1");
  EventRecord b = Event("p1", "t1", "e2");
  b.timestamp = kT0 / 1'000'000 + 20 * 60;  // the client's time counts: a later bucket
  EventRecord dup = Event("p1", "t1", "e1");
  EventRecord other = Event("p2", "t1", "e1");
  WriteOp op1 = EventOp({a, b, dup, other});
  WriteOp dry = EventOp({Event("p1", "t1", "e9")}, /*dry_run=*/true);
  this->Commit({&op1, &dry});
  WriteOp again = EventOp({Event("p1", "t1", "e2"), Event("p1", "t2", std::nullopt)});
  this->Commit({&again});

  auto events = this->Events(this->All());
  EXPECT_EQ(events.size(), 3u);
  EXPECT_EQ((events[{kT0, "t1", "page_view"}]), 1);                 // a (dup not counted)
  EXPECT_EQ((events[{kT0 + 15 * kMinute, "t1", "page_view"}]), 1);  // b, by its timestamp
  EXPECT_EQ((events[{kT0, "t2", "page_view"}]), 1);
  // e2 again was a duplicate: b's bucket still 1. Summed over everything:
  RollupQuery total = this->All(false);
  total.dims = {false, false, false, false};
  auto sum = this->Events(total);
  ASSERT_EQ(sum.size(), 1u);
  EXPECT_EQ(sum.begin()->second, 3);
  // Every partner (admin): p2's event too.
  total.partner_id.reset();
  EXPECT_EQ(this->Events(total).begin()->second, 4);
  // The range is [from, to): the bucket at `to` is out.
  RollupQuery narrow = this->All();
  narrow.from_bucket = kT0;
  narrow.to_bucket = kT0 + 15 * kMinute;
  EXPECT_EQ(this->Events(narrow).size(), 2u);
}

TYPED_TEST(ReportStoreTest, ClickAndConversionRollups) {
  ClickRecord c1 = FullClick("p1", "clk_1");  // campaign cmp_1, tag pub_001, a prefetch
  c1.created_at = kT0 - 2 * 3600 * 1'000'000LL;
  ClickRecord c2 = Click("p1", "clk_2", "bid_2", std::nullopt);
  c2.created_at = kT0;
  c2.filter_reason = "bot";
  WriteOp clicks;
  ClickWrite cw;
  cw.clicks = {c1, c2, c1};  // the second clk_1 is a duplicate
  clicks.payload = cw;
  ConversionRecord v1 = Conversion("p1", "clk_1", "o1");
  v1.value_micros = 10'500'000;
  ConversionRecord v2 = Conversion("p1", "clk_1", "o2");
  v2.value_micros = 1;
  v2.currency = "EUR";
  ConversionRecord v3 = Conversion("p1", "clk_2", std::nullopt);
  v3.conversion_time = kT0 - 1;  // before its click: negative latency, previous bucket
  v3.value_micros = 2'000'000;
  ConversionRecord dup = v1;
  WriteOp o1 = ConversionOp(v1), o2 = ConversionOp(v2), o3 = ConversionOp(v3),
          o4 = ConversionOp(dup), missing = ConversionOp(Conversion("p1", "clk_none", "x"));
  this->Commit({&clicks, &o1, &o2, &o3, &o4, &missing});
  EXPECT_EQ(Conv(o4).outcome, WriteOutcome::kDuplicate);
  ASSERT_OK(this->store().InsertClick(Click("p1", "clk_3", "bid_3", "cmp_9")));

  auto click_rows = this->Clicks(this->All(false));
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> clicks_by;
  for (const auto& r : click_rows) {
    auto& v = clicks_by[{r.campaign_id.value_or("(none)"), r.tag_id.value_or("(none)")}];
    v.first += r.clicks;
    v.second += r.filtered_clicks;
  }
  EXPECT_EQ(clicks_by.size(), 3u);
  EXPECT_EQ((clicks_by[{"cmp_1", "pub_001"}]), std::make_pair(int64_t{1}, int64_t{1}));
  EXPECT_EQ((clicks_by[{"(none)", "(none)"}]), std::make_pair(int64_t{1}, int64_t{1}));
  EXPECT_EQ((clicks_by[{"cmp_9", "(none)"}]), std::make_pair(int64_t{1}, int64_t{0}));

  auto conv = this->Conversions(this->All());
  ASSERT_EQ(conv.size(), 3u);
  std::map<std::string, ConversionRollupRow> by_currency_campaign;
  for (const auto& r : conv)
    by_currency_campaign[r.currency + "/" + r.campaign_id.value_or("-")] = r;
  const auto& usd = by_currency_campaign["USD/cmp_1"];
  EXPECT_EQ(usd.bucket, kT0);
  EXPECT_EQ(usd.conversions, 1);
  EXPECT_EQ(FormatMicros128(usd.value_micros), "10.5");
  EXPECT_EQ(usd.click_tag_id, "pub_001");
  EXPECT_EQ(usd.latency[2], 1);  // 2 h: in 1d
  EXPECT_EQ(by_currency_campaign["EUR/cmp_1"].value_micros, 1);
  const auto& none = by_currency_campaign["USD/-"];
  EXPECT_EQ(none.bucket, kT0 - 15 * kMinute);
  EXPECT_EQ(none.latency[0], 1);  // negative
  EXPECT_FALSE(none.click_tag_id.has_value());

  // Summed over campaigns and buckets, kept apart by currency.
  RollupQuery q = this->All(false);
  q.dims = {false, false, false, false};
  auto totals = this->Conversions(q);
  ASSERT_EQ(totals.size(), 2u);
  for (const auto& r : totals) {
    EXPECT_EQ(FormatMicros128(r.value_micros), r.currency == "USD" ? "12.5" : "0.000001");
  }
}

// RollupQuery::periods: the store folds each bucket into the last period start <= it, with the
// partner parameter (param 4) and without (admin, param 3), for every rollup table.
TYPED_TEST(ReportStoreTest, BucketsFoldIntoTheGivenPeriods) {
  std::vector<EventRecord> events;
  for (int i = 0; i < 8; ++i) {  // one event per quarter hour from kT0
    EventRecord e = Event(i % 2 ? "p2" : "p1", "t1", "e" + std::to_string(i));
    e.timestamp = kT0 / 1'000'000 + i * 15 * 60;
    events.push_back(e);
  }
  WriteOp op = EventOp(events);
  ClickRecord c = Click("p1", "clk_1", "bid_1", "cmp_1");
  c.created_at = kT0 + 50 * kMinute;
  WriteOp clicks;
  ClickWrite cw;
  cw.clicks = {c};
  clicks.payload = cw;
  ConversionRecord v = Conversion("p1", "clk_1", "o1");
  v.conversion_time = kT0 + 100 * kMinute;
  WriteOp conv = ConversionOp(v);
  this->Commit({&op, &clicks});
  this->Commit({&conv});

  RollupQuery q = this->All();
  q.dims = {false, false, false, false};
  // Periods [kT0 - 1 h, kT0 + 45 min), [kT0 + 45 min, kT0 + 1 h 30), [kT0 + 1 h 30, ...).
  q.periods = {kT0 - 60 * kMinute, kT0 + 45 * kMinute, kT0 + 90 * kMinute};
  auto p1 = this->Events(q);
  EXPECT_EQ(p1, (std::map<std::tuple<int64_t, std::string, std::string>, int64_t>{
                    {{kT0 - 60 * kMinute, "-", "-"}, 2},     // quarters 0 and 2
                    {{kT0 + 45 * kMinute, "-", "-"}, 1},     // quarter 4
                    {{kT0 + 90 * kMinute, "-", "-"}, 1}}));  // quarter 6
  q.partner_id.reset();  // every partner: one event per quarter hour
  auto all = this->Events(q);
  EXPECT_EQ((all[{kT0 - 60 * kMinute, "-", "-"}]), 3);
  EXPECT_EQ((all[{kT0 + 45 * kMinute, "-", "-"}]), 3);
  EXPECT_EQ((all[{kT0 + 90 * kMinute, "-", "-"}]), 2);
  auto click_rows = this->Clicks(q);
  ASSERT_EQ(click_rows.size(), 1u);
  EXPECT_EQ(click_rows[0].bucket, kT0 + 45 * kMinute);
  q.partner_id = "p1";
  auto conv_rows = this->Conversions(q);
  ASSERT_EQ(conv_rows.size(), 1u);
  EXPECT_EQ(conv_rows[0].bucket, kT0 + 90 * kMinute);
  EXPECT_EQ(conv_rows[0].conversions, 1);
}

// The day level (rollup.h): over randomized records of three days, every grouping a report can
// ask for reads the same numbers from the day rows (UTC days as periods, and totals) as from the
// quarter hours folded here; and it does read the day rows.
TYPED_TEST(ReportStoreTest, DayRowsAgreeWithTheQuarterHours) {
  const int64_t d0 = RollupDay(kT0) - kRollupDayMicros;
  uint64_t seed = 12345;
  auto next = [&seed](int n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((seed >> 33) % static_cast<uint64_t>(n));
  };
  const std::vector<std::optional<std::string>> campaigns = {"cmp_1", "cmp_2", std::nullopt};
  const std::vector<std::optional<std::string>> tags = {"pub_1", "pub_2", std::nullopt};
  for (int round = 0; round < 3; ++round) {
    std::vector<EventRecord> events;
    WriteOp clicks;
    ClickWrite cw;
    std::vector<WriteOp> conversions;
    for (int i = 0; i < 40; ++i) {
      const int64_t at = d0 + (round * 40 + i) * 37 * kMinute + next(60) * kMinute;
      EventRecord e = Event(next(4) ? "p1" : "p2", next(2) ? "t1" : "t2", std::nullopt);
      e.event_name = next(2) ? "view" : "buy";
      e.timestamp = at / 1'000'000;
      events.push_back(e);
      ClickRecord c = Click(next(4) ? "p1" : "p2", "clk_" + std::to_string(round * 40 + i), "b",
                            campaigns[next(3)]);
      c.tag_id = tags[next(3)];
      c.created_at = at;
      if (next(5) == 0) c.filter_reason = "bot";
      cw.clicks.push_back(c);
      if (i % 3 == 0) {
        ConversionRecord v = Conversion(c.partner_id, c.click_id, "o" + c.click_id);
        v.conversion_time = at + next(3000) * kMinute;
        v.currency = next(2) ? "USD" : "EUR";
        v.event_type = next(2) ? "purchase_completed" : "lead";
        v.value_micros = next(1'000'000'000);
        conversions.push_back(ConversionOp(v));
      }
    }
    WriteOp ev = EventOp(events);
    clicks.payload = cw;
    std::vector<WriteOp*> ops = {&ev, &clicks};
    this->Commit(ops);
    ops.clear();
    for (auto& op : conversions) ops.push_back(&op);
    this->Commit(ops);
    // The first round's counters folded into the rollups (PostgreSQL), the later rounds' still
    // pending: the reads below add up both.
    if (round == 0) {
      EXPECT_EQ(this->Fold() > 0, this->kPending);
    }
  }

  using Key = std::vector<std::string>;  // period, then the dimensions
  using Sums = std::map<Key, std::vector<std::string>>;
  auto add = [](Sums& to, Key key, const std::vector<std::string>& metrics) {
    auto& m = to[std::move(key)];
    if (m.empty()) m.assign(metrics.size(), "0");
    for (size_t i = 0; i < metrics.size(); ++i) {
      m[i] = FormatMicros128(*ParseMicros128(m[i]) + *ParseMicros128(metrics[i]));
    }
  };
  auto dim = [](const std::optional<std::string>& v) { return v.value_or("(none)"); };
  // Reads `q` and keys each row by its period (as `period` maps it) and dimensions.
  auto read = [&](RollupQuery q, auto&& period) {
    Sums out;
    EXPECT_OK(this->store().ReadEventRollups(q, [&](const EventRollupRow& r) {
      add(out, {"e", period(r.bucket), dim(r.tag_id), dim(r.event_name)},
          {std::to_string(r.events)});
    }));
    EXPECT_OK(this->store().ReadClickRollups(q, [&](const ClickRollupRow& r) {
      add(out, {"c", period(r.bucket), dim(r.campaign_id), dim(r.tag_id)},
          {std::to_string(r.clicks), std::to_string(r.filtered_clicks)});
    }));
    Sums counts, counts_alone;  // the conversions and values, with and without the latencies
    auto conversion_key = [&](const ConversionRollupRow& r) {
      return Key{"v",        period(r.bucket),   dim(r.campaign_id), dim(r.event_type),
                 r.currency, dim(r.click_tag_id)};
    };
    EXPECT_OK(this->store().ReadConversionRollups(q, [&](const ConversionRollupRow& r) {
      std::vector<std::string> m = {std::to_string(r.conversions), FormatMicros128(r.value_micros)};
      add(counts, conversion_key(r), m);
      for (int64_t l : r.latency) m.push_back(std::to_string(l));
      add(out, conversion_key(r), m);
    }));
    // Without the latency counters (RollupQuery::latency: the campaigns report), the same
    // conversions and values, and every latency 0.
    RollupQuery alone = q;
    alone.latency = false;
    EXPECT_OK(this->store().ReadConversionRollups(alone, [&](const ConversionRollupRow& r) {
      EXPECT_EQ(r.latency, (std::array<int64_t, kLatencyBuckets>{}));
      add(counts_alone, conversion_key(r),
          {std::to_string(r.conversions), FormatMicros128(r.value_micros)});
    }));
    for (Sums* sums : {&counts, &counts_alone}) {
      std::erase_if(*sums, [](const auto& kv) { return kv.second == Key{"0", "0"}; });
    }
    EXPECT_EQ(counts_alone, counts);
    // A group whose rows add up to nothing is not in the answer (ReportStore).
    std::erase_if(out, [](const auto& kv) {
      return std::all_of(kv.second.begin(), kv.second.end(),
                         [](const std::string& v) { return v == "0"; });
    });
    return out;
  };
  auto same = [](int64_t b) { return std::to_string(b); };
  auto utc_day = [](int64_t b) { return std::to_string(RollupDay(b)); };
  const int64_t d1 = d0 + kRollupDayMicros;
  // The rows of `by_period` summed over their periods: a total's rows.
  auto totals = [&](const Sums& by_period) {
    Sums out;
    for (const auto& [key, m] : by_period) {
      Key k = key;
      k[1] = "0";
      add(out, k, m);
    }
    return out;
  };

  for (std::optional<std::string> partner :
       {std::optional<std::string>("p1"), std::optional<std::string>()}) {
    for (int dims = 0; dims < 16; ++dims) {
      RollupQuery q;
      q.partner_id = partner;
      q.from_bucket = d0 + 7 * 60 * kMinute;  // mid-day to mid-day: partial edges
      q.to_bucket = d0 + 3 * kRollupDayMicros + 5 * 60 * kMinute;
      q.dims = {(dims & 1) != 0, (dims & 2) != 0, (dims & 4) != 0, (dims & 8) != 0};
      SCOPED_TRACE("partner " + partner.value_or("(all)") + ", dims " + std::to_string(dims));
      RollupQuery quarters = q;  // by bucket without periods: quarter hours only
      const Sums by_quarter = read(quarters, utc_day);
      RollupQuery days = q;
      for (int i = 0; i < 4; ++i) days.periods.push_back(d0 + i * kRollupDayMicros);
      EXPECT_EQ(read(days, same), by_quarter);
      RollupQuery whole = q;
      whole.by_bucket = false;
      EXPECT_EQ(read(whole, same), totals(by_quarter));
      EXPECT_GT(by_quarter.size(), 3u);
      // Whole UTC days only: each day row is an answer row (no GROUP BY where the grouping is
      // exactly the dimensions asked for), the same numbers again.
      RollupQuery whole_days = days;
      whole_days.from_bucket = d0;
      whole_days.to_bucket = d0 + 3 * kRollupDayMicros;
      quarters.from_bucket = whole_days.from_bucket;
      quarters.to_bucket = whole_days.to_bucket;
      EXPECT_EQ(read(whole_days, same), read(quarters, utc_day));
      // Local days of zones whose midnight is not UTC's (rollup_sql.h RollupHourPlan): New York
      // across a change of offset (UTC-5, then UTC-4) and Tokyo (UTC+9). Each period's numbers
      // equal its quarter hours', by day and in total.
      const std::vector<std::vector<int64_t>> zones = {
          {d0 + 5 * kHour, d1 + 5 * kHour, d1 + kRollupDayMicros + 4 * kHour,
           d1 + 2 * kRollupDayMicros + 4 * kHour, d1 + 3 * kRollupDayMicros + 4 * kHour},
          {d0 - 9 * kHour, d1 - 9 * kHour, d1 + 15 * kHour, d1 + kRollupDayMicros + 15 * kHour,
           d1 + 2 * kRollupDayMicros + 15 * kHour}};
      for (const std::vector<int64_t>& starts : zones) {
        SCOPED_TRACE("local days from " + std::to_string(starts.front()));
        RollupQuery local = q;
        local.from_bucket = starts.front();
        local.to_bucket = starts.back();
        local.periods.assign(starts.begin(), starts.end() - 1);
        ASSERT_TRUE(HourPlanOf(local));
        RollupQuery raw = local;  // every quarter hour, folded below
        raw.periods.clear();
        ASSERT_FALSE(HourPlanOf(raw));
        auto local_day = [&](int64_t b) {
          return std::to_string(*(std::upper_bound(starts.begin(), starts.end(), b) - 1));
        };
        const Sums expected = read(raw, local_day);
        EXPECT_GT(expected.size(), 3u);
        EXPECT_EQ(read(local, same), expected);
        local.by_bucket = false;
        EXPECT_EQ(read(local, same), totals(expected));
        // A total from one hour to another, neither at midnight: corrected at both ends.
        local.from_bucket = starts.front() + 2 * kHour;
        local.to_bucket = starts.back() - 3 * kHour;
        ASSERT_TRUE(HourPlanOf(local));
        raw.from_bucket = local.from_bucket;
        raw.to_bucket = local.to_bucket;
        EXPECT_EQ(read(local, same), totals(read(raw, same)));
      }
    }
  }

  // Folding the rest moves every pending counter and changes no answer, by quarter hour, by
  // day or in total; a second fold finds nothing.
  {
    RollupQuery q;
    q.from_bucket = d0;
    q.to_bucket = d0 + 4 * kRollupDayMicros;
    q.dims = {true, true, true, true};
    RollupQuery days = q;
    for (int i = 0; i < 4; ++i) days.periods.push_back(d0 + i * kRollupDayMicros);
    RollupQuery whole = q;
    whole.by_bucket = false;
    const Sums by_quarter = read(q, same), by_day = read(days, same), total = read(whole, same);
    EXPECT_EQ(this->Fold() > 0, this->kPending);
    EXPECT_EQ(read(q, same), by_quarter);
    EXPECT_EQ(read(days, same), by_day);
    EXPECT_EQ(read(whole, same), total);
    EXPECT_EQ(this->Fold(), 0u);
  }

  // The middle day is read from its day rows: without its quarter hours it still counts.
  RollupQuery q;
  q.partner_id = "p1";
  q.from_bucket = d1;
  q.to_bucket = d1 + kRollupDayMicros;
  q.by_bucket = false;
  const Sums before = read(q, same);
  ASSERT_FALSE(before.empty());
  for (const char* table : {"rollup_events", "rollup_clicks", "rollup_conversions"}) {
    this->Sql(std::string("DELETE FROM ") + table + " WHERE bucket >= " + std::to_string(d1) +
              " AND bucket < " + std::to_string(d1 + kRollupDayMicros));
  }
  EXPECT_EQ(read(q, same), before);
  q.by_bucket = true;  // by quarter hour: nothing left there
  EXPECT_TRUE(read(q, same).empty());
}

// Folds racing commits (PostgreSQL's folder runs beside the writer): every stored event counts
// once, whether a report reads it pending or folded, while the folds go on and after them.
TYPED_TEST(ReportStoreTest, FoldsRacingCommitsLoseAndDoubleNothing) {
  std::atomic<bool> done{false};
  std::atomic<size_t> moved{0};
  std::thread folder([&] {
    while (!done.load()) moved += this->Fold();
  });
  RollupQuery total = this->All(false);
  total.dims = {false, false, false, false};
  int64_t stored = 0;
  for (int i = 0; i < 40; ++i) {
    std::vector<EventRecord> events;
    for (int k = 0; k <= i % 5; ++k) {
      EventRecord e = Event("p1", "t" + std::to_string(k), "e" + std::to_string(i * 10 + k));
      e.timestamp = kT0 / 1'000'000 + (i % 7) * 900;
      events.push_back(e);
    }
    WriteOp op = EventOp(events);
    this->Commit({&op});
    stored += static_cast<int64_t>(events.size());
    auto sum = this->Events(total);
    ASSERT_EQ(sum.size(), 1u);
    EXPECT_EQ(sum.begin()->second, stored) << "after commit " << i;
  }
  done = true;
  folder.join();
  moved += this->Fold();
  EXPECT_EQ(moved.load() > 0, this->kPending);
  EXPECT_EQ(this->Fold(), 0u);
  EXPECT_EQ(this->Events(total).begin()->second, stored);
}

TYPED_TEST(ReportStoreTest, MoneySumsStayExactPast64Bits) {
  // 10 conversions of 1e12 in one commit, 10 more in another: 2e13, i.e. 2e19 micro-units.
  WriteOp clicks;
  ClickWrite cw;
  cw.clicks = {Click("p1", "clk_m")};
  clicks.payload = cw;
  this->Commit({&clicks});
  for (int round = 0; round < 2; ++round) {
    std::vector<WriteOp> ops;
    for (int i = 0; i < 10; ++i) {
      ConversionRecord c = Conversion("p1", "clk_m", "o" + std::to_string(round * 10 + i));
      c.value_micros = 1'000'000'000'000'000'000;
      ops.push_back(ConversionOp(c));
    }
    // One more with a fraction, so the micro-units carry.
    ConversionRecord f = Conversion("p1", "clk_m", "f" + std::to_string(round));
    f.value_micros = 999'999;
    ops.push_back(ConversionOp(f));
    std::vector<WriteOp*> ptrs;
    for (auto& op : ops) ptrs.push_back(&op);
    this->Commit(ptrs);
  }
  RollupQuery q = this->All(false);
  q.dims = {false, false, false, false};
  auto totals = this->Conversions(q);
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0].conversions, 22);
  EXPECT_EQ(FormatMicros128(totals[0].value_micros), "20000000000001.999998");
}

TYPED_TEST(ReportStoreTest, RowsStoredBeforeTheMigrationAreCounted) {
  this->RecreateBeforeRollups();
  if (this->HasFatalFailure()) return;
  this->Sql(R"sql(
INSERT INTO clicks(partner_id, click_id, bid_id, campaign_id, clicked_at, tag_id, source,
                   filter_reason)
  VALUES('p1', 'clk_a', 'b', 'cmp_1', 1771520000000000, 'pub_1', 'api', NULL),
        ('p1', 'clk_b', 'b', NULL, 1771520000000001, NULL, 'redirect', 'prefetch');
INSERT INTO events(partner_id, key_id, event_name, tag_id, event_id, timestamp, params_json,
                   channel, client_ip, received_at)
  VALUES('p1', 'k', 'view', 'site:a', 'e1', 1771524900, '{}', 'server', 'ip', 1771524000000000),
        ('p1', 'k', 'view', 'site:a', NULL, NULL, '{}', 'server', 'ip', 1771524000000001),
        ('p2', 'k', 'buy', 'site:b', NULL, NULL, '{}', 'server', 'ip', 1771524000000002);
INSERT INTO conversions(partner_id, key_id, click_id, bid_id, campaign_id, conversion_time,
                        value_micros, currency, event_type, dedup_key, dedup_source,
                        params_json, client_ip, received_at, click_time)
  VALUES('p1', 'k', 'clk_a', 'b', 'cmp_1', 1771524000000000, 49990000, 'USD',
         'purchase_completed', 'o1', 'header', '{}', 'ip', 1771524000000002, 1771520000000000),
        ('p1', 'k', 'clk_a', 'b', 'cmp_1', 1771524000000000, 10, 'USD',
         'purchase_completed', 'o2', 'header', '{}', 'ip', 1771524000000003, 1771520000000000);
)sql");
  this->AddSpanOfRawEvents();
  this->ReopenStore();
  if (this->HasFatalFailure()) return;

  auto events = this->Events(this->All());
  EXPECT_EQ((events[{kT0 + 15 * kMinute, "site:a", "view"}]), 1);  // by its timestamp
  EXPECT_EQ((events[{kT0, "site:a", "view"}]), 1);
  EXPECT_EQ(events.size(), 2u);  // p2's is another partner's

  auto clicks = this->Clicks(this->All(false));
  int64_t all = 0, filtered = 0;
  for (const auto& r : clicks) {
    all += r.clicks;
    filtered += r.filtered_clicks;
  }
  EXPECT_EQ(all, 2);
  EXPECT_EQ(filtered, 1);

  auto conv = this->Conversions(this->All());
  ASSERT_EQ(conv.size(), 1u);
  EXPECT_EQ(conv[0].bucket, kT0);
  EXPECT_EQ(conv[0].campaign_id, "cmp_1");
  EXPECT_EQ(conv[0].click_tag_id, "pub_1");
  EXPECT_EQ(conv[0].conversions, 2);
  EXPECT_EQ(FormatMicros128(conv[0].value_micros), "49.99001");
  EXPECT_EQ(conv[0].latency[2], 2);  // 4000 s: in 1d

  // The day level was built from the same rows: a total over the whole UTC day reads it.
  RollupQuery day = this->All(false);
  day.from_bucket = RollupDay(kT0);
  day.to_bucket = RollupDay(kT0) + kRollupDayMicros;
  ASSERT_EQ(RollupRanges(day), (std::vector<RollupRange>{{day.from_bucket, day.to_bucket, true}}));
  auto day_events = this->Events(day);
  EXPECT_EQ((day_events[{0, "site:a", "view"}]), 2);
  auto day_conv = this->Conversions(day);
  ASSERT_EQ(day_conv.size(), 1u);
  EXPECT_EQ(day_conv[0].conversions, 2);
  EXPECT_EQ(FormatMicros128(day_conv[0].value_micros), "49.99001");
  EXPECT_EQ(day_conv[0].click_tag_id, "pub_1");
  int64_t day_clicks = 0;
  for (const auto& r : this->Clicks(day)) day_clicks += r.clicks;
  EXPECT_EQ(day_clicks, 2);

  // And the hour level: Tokyo's days (local midnight at 15:00Z) read the UTC day row and move
  // its hours from 15:00Z on (the rows above, at 16:53Z-18:15Z) into the next local day.
  RollupQuery tokyo = this->All();
  tokyo.from_bucket = RollupDay(kT0) - 9 * kHour;
  tokyo.to_bucket = tokyo.from_bucket + 2 * kRollupDayMicros;
  tokyo.periods = {tokyo.from_bucket, tokyo.from_bucket + kRollupDayMicros};
  ASSERT_TRUE(HourPlanOf(tokyo));
  auto tokyo_events = this->Events(tokyo);
  EXPECT_EQ(tokyo_events.size(), 1u);
  EXPECT_EQ((tokyo_events[{tokyo.periods[1], "site:a", "view"}]), 2);
  auto tokyo_conv = this->Conversions(tokyo);
  ASSERT_EQ(tokyo_conv.size(), 1u);
  EXPECT_EQ(tokyo_conv[0].bucket, tokyo.periods[1]);
  EXPECT_EQ(FormatMicros128(tokyo_conv[0].value_micros), "49.99001");
  EXPECT_EQ(tokyo_conv[0].latency[2], 2);
  int64_t tokyo_clicks = 0;
  for (const auto& r : this->Clicks(tokyo)) {
    EXPECT_EQ(r.bucket, tokyo.periods[1]);  // clicked at 16:53Z, after 15:00Z
    tokyo_clicks += r.clicks;
  }
  EXPECT_EQ(tokyo_clicks, 2);

  // And a commit after the migration adds to the same counters.
  WriteOp more = EventOp({Event("p1", "site:a", "e5")});
  std::get<EventWrite>(more.payload).events[0].event_name = "view";
  this->Commit({&more});
  EXPECT_EQ((this->Events(this->All())[{kT0, "site:a", "view"}]), 2);
}

TYPED_TEST(ReportStoreTest, ConversionPagesReturnEveryRowOnce) {
  WriteOp clicks;
  ClickWrite cw;
  cw.clicks = {Click("p1", "clk_p"), Click("p2", "clk_p")};
  clicks.payload = cw;
  this->Commit({&clicks});
  auto add = [&](int n, const std::string& partner, int first) {
    for (int i = 0; i < n; ++i) {
      ConversionRecord c = Conversion(partner, "clk_p", "o" + std::to_string(first + i));
      c.received_at = kT0 + first + i;
      WriteOp op = ConversionOp(c);
      this->Commit({&op});
    }
  };
  add(5, "p1", 0);
  add(2, "p2", 100);
  ConversionPageQuery q;
  q.partner_id = "p1";
  q.from = kT0;
  q.to = kT0 + 1000;
  q.limit = 2;
  // PostgreSQL shows a row once every older transaction of the whole cluster has ended (another
  // test's open transaction can delay it): an empty page means "nothing new yet", so page on
  // until all 8 came or 10 s passed.
  std::vector<std::string> seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int page = 0; seen.size() < 8 && std::chrono::steady_clock::now() < deadline; ++page) {
    auto p = this->store().ListConversions(q);
    ASSERT_OK(p);
    for (auto& r : p->rows) seen.push_back(r);
    ASSERT_FALSE(p->last.empty());
    q.after = p->last;
    if (page == 1) add(3, "p1", 5);  // arrive while paging
    if (p->rows.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto extra = this->store().ListConversions(q);  // and nothing after the last
  ASSERT_OK(extra);
  EXPECT_TRUE(extra->rows.empty());
  ASSERT_EQ(seen.size(), 8u);
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_THAT(seen[i], ::testing::HasSubstr("\"dedup_key\":\"o" + std::to_string(i) + "\""));
  }
  // Every partner, from the start: the 10 rows of both.
  q.partner_id.reset();
  q.after.clear();
  q.limit = 1000;
  size_t every = 0;
  for (int i = 0; i < 500 && every < 10; ++i) {  // visible within 10 s (see above)
    auto page = this->store().ListConversions(q);
    ASSERT_OK(page);
    every = page->rows.size();
    if (every < 10) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(every, 10u);
  // A cursor that is not one.
  q.after = "garbage";
  EXPECT_EQ(this->store().ListConversions(q).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace thrad::test
