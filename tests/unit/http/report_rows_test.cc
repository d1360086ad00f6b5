#include "http/report_rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <random>

namespace thrad {
namespace report_rows_test {

ReportQuery Query(ReportKind kind, Granularity g, std::vector<std::string> group_by) {
  ReportQuery q;
  q.kind = kind;
  q.granularity = g;
  q.tz = FindTimeZone("UTC");
  q.group_by = std::move(group_by);
  return q;
}

ReportRows::Values Of(const std::vector<const std::string*>& v) {
  ReportRows::Values out{};
  std::copy(v.begin(), v.end(), out.begin());
  return out;
}

boost::json::array Written(ReportRows& rows, size_t max = 100'000) {
  std::string out = "[";
  rows.Write(out, max);
  out += ']';
  return boost::json::parse(out).as_array();
}

constexpr int64_t kDay = int64_t{86'400} * 1'000'000;
constexpr int64_t kDay0 = int64_t{20'000} * kDay;  // 2024-10-04, a UTC midnight

TEST(ReportRowsTest, GroupsInOrderNullFirstThenByBytes) {
  const ReportQuery q = Query(ReportKind::kClicks, Granularity::kDay, {"campaign_id"});
  ReportRows rows(q);
  const std::string a = "a", b_upper = "B", ab = "ab";
  // Out of order, a group split over non-adjacent rows, and a null value.
  rows.At(kDay0 + kDay, Of({&a})).clicks += 1;
  rows.At(kDay0, Of({&ab})).clicks += 2;
  rows.At(kDay0, Of({nullptr})).clicks += 3;
  rows.At(kDay0, Of({&a})).clicks += 4;
  rows.At(kDay0, Of({&b_upper})).clicks += 5;
  rows.At(kDay0, Of({&ab})).clicks += 6;
  rows.At(kDay0, Of({&ab})).filtered_clicks += 7;  // adjacent: the same row
  ASSERT_EQ(rows.Finish(), 5u);
  const boost::json::array got = Written(rows);
  ASSERT_EQ(got.size(), 5u);
  auto row = [&](size_t i) { return got[i].as_object(); };
  EXPECT_EQ(row(0).at("campaign_id"), nullptr);
  EXPECT_EQ(row(0).at("period"), "2024-10-04T00:00:00+00:00");
  EXPECT_EQ(row(1).at("campaign_id"), "B");  // 'B' < 'a' by bytes
  EXPECT_EQ(row(2).at("campaign_id"), "a");
  EXPECT_EQ(row(3).at("campaign_id"), "ab");
  EXPECT_EQ(row(3).at("clicks"), 8);
  EXPECT_EQ(row(3).at("filtered_clicks"), 7);
  EXPECT_EQ(row(4).at("period"), "2024-10-05T00:00:00+00:00");
  EXPECT_EQ(row(4).at("clicks"), 1);
}

TEST(ReportRowsTest, TheTextIsTheSameAsBefore) {
  // The exact text, keys in their order, a value escaped, currencies by bytes.
  const ReportQuery q = Query(ReportKind::kCampaigns, Granularity::kDay, {"campaign_id"});
  ReportRows rows(q);
  const std::string c = "c\"1\n", usd = "USD", eur = "EUR";
  ReportMetrics& m = rows.At(kDay0, Of({&c}));
  m.clicks = 10;
  m.filtered_clicks = 1;
  ReportMetrics& n = rows.At(kDay0, Of({&c}));
  n.AddConversions(rows.Intern(&usd), 1, 12'500'000);
  n.AddConversions(rows.Intern(&eur), 1, 1);
  n.AddConversions(rows.Intern(&usd), 1, 500'000);
  const std::string none = "none";
  rows.At(kDay0, Of({&none})).clicks = 2;
  rows.At(kDay0, Of({&none})).filtered_clicks = 2;  // none counted: no rate
  ASSERT_EQ(rows.Finish(), 2u);
  std::string out;
  rows.Write(out, 10);
  EXPECT_EQ(
      out,
      "{\"period\":\"2024-10-04T00:00:00+00:00\",\"campaign_id\":\"c\\\"1\\n\",\"clicks\":10,"
      "\"filtered_clicks\":1,\"conversions\":3,\"value\":{\"EUR\":\"0.000001\",\"USD\":\"13\"},"
      "\"conversion_rate\":0.3333333333333333},"
      "{\"period\":\"2024-10-04T00:00:00+00:00\",\"campaign_id\":\"none\",\"clicks\":2,"
      "\"filtered_clicks\":2,\"conversions\":0,\"value\":{},\"conversion_rate\":null}");
}

// An hour plan's corrections (ReportStore): the same group again with negative counters, in
// any order; a group that adds up to nothing is left out.
TEST(ReportRowsTest, CorrectionsAddUpAndEmptyGroupsGo) {
  const ReportQuery q = Query(ReportKind::kCampaigns, Granularity::kDay, {"campaign_id"});
  ReportRows rows(q);
  const std::string a = "a", b = "b", usd = "USD";
  rows.At(kDay0, Of({&a})).clicks += 5;
  rows.At(kDay0, Of({&b})).clicks += 3;
  rows.At(kDay0 + kDay, Of({&a})).clicks += 1;
  rows.At(kDay0, Of({&b})).clicks -= 3;  // b's day moved whole to the next day
  rows.At(kDay0 + kDay, Of({&b})).clicks += 3;
  rows.At(kDay0, Of({&a})).clicks -= 2;  // some of a's moved
  rows.At(kDay0 + kDay, Of({&a})).clicks += 2;
  // A conversion, then taken back: not in a row of b's first day.
  rows.At(kDay0, Of({&b})).AddConversions(rows.Intern(&usd), 1, 2'000'000);
  rows.At(kDay0, Of({&b})).AddConversions(rows.Intern(&usd), -1, -2'000'000);
  // One of a's two currencies taken back (a lead worth 0 in the other stays): only that one
  // is not in the value.
  const std::string eur = "EUR";
  rows.At(kDay0, Of({&a})).AddConversions(rows.Intern(&usd), 2, 3'000'000);
  rows.At(kDay0, Of({&a})).AddConversions(rows.Intern(&eur), 1, 0);
  rows.At(kDay0, Of({&a})).AddConversions(rows.Intern(&usd), -2, -3'000'000);
  ASSERT_EQ(rows.Finish(), 3u);
  const boost::json::array got = Written(rows);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].as_object().at("campaign_id"), "a");
  EXPECT_EQ(got[0].as_object().at("clicks"), 3);
  EXPECT_EQ(got[0].as_object().at("conversions"), 1);
  EXPECT_EQ(boost::json::serialize(got[0].as_object().at("value")), R"({"EUR":"0"})");
  EXPECT_EQ(got[1].as_object().at("campaign_id"), "a");
  EXPECT_EQ(got[1].as_object().at("clicks"), 3);
  EXPECT_EQ(got[1].as_object().at("period"), "2024-10-05T00:00:00+00:00");
  EXPECT_EQ(got[2].as_object().at("campaign_id"), "b");
  EXPECT_EQ(got[2].as_object().at("clicks"), 3);
  EXPECT_EQ(got[2].as_object().at("period"), "2024-10-05T00:00:00+00:00");
}

TEST(ReportRowsTest, TotalsAndConversionsText) {
  const ReportQuery q = Query(ReportKind::kConversions, Granularity::kTotal, {});
  ReportRows rows(q);
  const std::string usd = "USD";
  for (int64_t day = 0; day < 3; ++day) {
    ReportMetrics& m = rows.At(kDay0 + day * kDay, Of({}));  // the period is ignored
    m.AddConversions(rows.Intern(&usd), 2, 1'000'000);
    m.latency[1] += 1;
    m.latency[5] += 1;
  }
  ASSERT_EQ(rows.Finish(), 1u);
  std::string out;
  rows.Write(out, 10);
  EXPECT_EQ(out,
            "{\"conversions\":6,\"value\":{\"USD\":\"3\"},\"latency\":{\"negative\":0,\"1h\":3,"
            "\"1d\":0,\"7d\":0,\"30d\":0,\"more\":3}}");
}

TEST(ReportRowsTest, WritesAtMostMax) {
  const ReportQuery q = Query(ReportKind::kEvents, Granularity::kDay, {});
  ReportRows rows(q);
  for (int64_t day = 0; day < 5; ++day) rows.At(kDay0 + day * kDay, Of({})).events = day + 1;
  ASSERT_EQ(rows.Finish(), 5u);
  const boost::json::array got = Written(rows, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].as_object().at("events"), 2);
}

// Thousands of groups in order, then each again in reverse order: the index grows past its
// first size and finds every group.
TEST(ReportRowsTest, ManyGroupsOutOfOrder) {
  const ReportQuery q = Query(ReportKind::kClicks, Granularity::kDay, {"campaign_id"});
  ReportRows rows(q);
  std::vector<std::string> names;
  for (int i = 0; i < 300; ++i) names.push_back("c" + std::to_string(1000 + i));
  for (int64_t day = 0; day < 20; ++day) {
    for (const std::string& n : names) rows.At(kDay0 + day * kDay, Of({&n})).clicks += 1;
  }
  for (int64_t day = 19; day >= 0; --day) {
    for (auto n = names.rbegin(); n != names.rend(); ++n) {
      rows.At(kDay0 + day * kDay, Of({&*n})).clicks += 2;
    }
  }
  ASSERT_EQ(rows.Finish(), 6000u);
  const boost::json::array got = Written(rows);
  ASSERT_EQ(got.size(), 6000u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].as_object().at("clicks"), 3);
    EXPECT_EQ(got[i].as_object().at("campaign_id"), names[i % 300].c_str());
  }
}

// Rows in random order, in two ordered runs, or in one: the same groups and sums as an ordered
// map of (period, values) would give.
TEST(ReportRowsTest, AnyOrderGivesTheMapsGroups) {
  std::mt19937 rng(7);
  const std::vector<std::string> names = {"", "a", "b", "ab", "Z", "\xc3\xa9"};
  using Key = std::pair<int64_t, std::vector<std::optional<std::string>>>;
  for (int order = 0; order < 3; ++order) {
    for (int trial = 0; trial < 20; ++trial) {
      const ReportQuery q =
          Query(ReportKind::kEvents, Granularity::kHour, {"event_name", "tag_id"});
      struct In {
        Key key;
        int64_t events;
      };
      std::vector<In> in;
      const int n = 1 + static_cast<int>(rng() % 400);
      for (int i = 0; i < n; ++i) {
        Key k{kDay0 + static_cast<int64_t>(rng() % 4) * 3'600'000'000, {}};
        for (int d = 0; d < 2; ++d) {
          const size_t pick = rng() % (names.size() + 1);
          k.second.push_back(pick == names.size() ? std::nullopt
                                                  : std::optional<std::string>(names[pick]));
        }
        in.push_back({std::move(k), 1 + static_cast<int64_t>(rng() % 9)});
      }
      auto by_key = [](const In& a, const In& b) { return a.key < b.key; };
      if (order == 1) std::sort(in.begin(), in.end(), by_key);
      if (order == 2) {  // two ordered runs, like a campaigns report's two kinds
        std::sort(in.begin(), in.begin() + n / 2, by_key);
        std::sort(in.begin() + n / 2, in.end(), by_key);
      }
      std::map<Key, int64_t> want;
      ReportRows rows(q);
      for (const In& r : in) {
        want[r.key] += r.events;
        const auto v = [&](int d) { return r.key.second[d] ? &*r.key.second[d] : nullptr; };
        rows.At(r.key.first, Of({v(0), v(1)})).events += r.events;
      }
      ASSERT_EQ(rows.Finish(), want.size());
      const boost::json::array got = Written(rows);
      ASSERT_EQ(got.size(), want.size());
      size_t i = 0;
      for (const auto& [key, events] : want) {
        const boost::json::object& o = got[i++].as_object();
        EXPECT_EQ(o.at("period"), FormatLocalRfc3339(q.tz, key.first).c_str());
        for (int d = 0; d < 2; ++d) {
          const boost::json::value& v = o.at(q.group_by[d]);
          if (key.second[d]) {
            EXPECT_EQ(v, boost::json::value(*key.second[d])) << "order " << order;
          } else {
            EXPECT_TRUE(v.is_null()) << "order " << order;
          }
        }
        EXPECT_EQ(o.at("events"), events) << "order " << order;
      }
    }
  }
}

}  // namespace report_rows_test
}  // namespace thrad
