#include "http/refusal_aggregator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "http/refusal_flusher.h"
#include "store/fake_write_store.h"

namespace thrad {
namespace {

constexpr int64_t kHour = kRefusalBucketMicros;
constexpr int64_t kT0 = 1771524000000000;  // an hour start

Refusal NotFound(std::string partner, int64_t at, std::string request_id) {
  Refusal r;
  r.partner_id = std::move(partner);
  r.key_id = "key_1";
  r.route = "/v1/api/conversion";
  r.status = 404;
  r.detail = "Click not found";
  r.at = at;
  r.request_id = std::move(request_id);
  return r;
}

Refusal Invalid(std::string partner, int64_t at,
                std::vector<std::pair<std::string, std::string>> e) {
  Refusal r = NotFound(std::move(partner), at, "req");
  r.route = "/v1/api/collect";
  r.status = 422;
  r.detail = "Validation error";
  r.errors = std::move(e);
  return r;
}

int64_t CountOf(const RefusalWrite& w, const std::string& partner, int64_t bucket, int status,
                const std::string& type = "", const std::string& loc = "") {
  for (const auto& [key, n] : w.counts) {
    if (key.partner_id == partner && key.bucket == bucket && key.status == status &&
        key.type == type && key.loc == loc) {
      return n;
    }
  }
  return 0;
}

TEST(RefusalAggregatorTest, CountsByReasonAndHour) {
  RefusalAggregator agg;
  for (int i = 0; i < 5; ++i) agg.Add(NotFound("p1", kT0 + i, "r"));
  agg.Add(NotFound("p1", kT0 + kHour, "r"));
  agg.Add(NotFound("p2", kT0, "r"));
  const std::string event_name = R"(["body","event_name"])";
  const std::string currency = R"(["body","currency"])";
  agg.Add(Invalid("p1", kT0, {{event_name, "missing"}, {currency, "missing"}}));
  agg.Add(Invalid("p1", kT0, {{event_name, "missing"}, {event_name, "missing"}}));  // once
  std::optional<RefusalWrite> w = agg.Take(kT0 + 2 * kHour);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->now, kT0 + 2 * kHour);
  EXPECT_EQ(w->counts.size(), 5u);
  EXPECT_EQ(CountOf(*w, "p1", kT0, 404), 5);
  EXPECT_EQ(CountOf(*w, "p1", kT0 + kHour, 404), 1);
  EXPECT_EQ(CountOf(*w, "p2", kT0, 404), 1);
  EXPECT_EQ(CountOf(*w, "p1", kT0, 422, "missing", event_name), 2);
  EXPECT_EQ(CountOf(*w, "p1", kT0, 422, "missing", currency), 1);
  EXPECT_EQ(CountOf(*w, "p1", kT0, 422), 0);  // a 422 counts by its errors only
  EXPECT_EQ(w->samples.size(), 9u);
  EXPECT_EQ(w->samples[0].errors, "[]");
  EXPECT_EQ(w->samples.back().at, kT0 + kHour);  // oldest first
  EXPECT_FALSE(agg.Take(kT0).has_value());       // everything was taken
}

TEST(RefusalAggregatorTest, SampleErrorsAsJson) {
  EXPECT_EQ(RefusalErrorsJson({{R"(["body","event_name"])", "missing"}, {"", "x\"y"}}),
            R"([{"loc":["body","event_name"],"type":"missing"},{"loc":null,"type":"x\"y"}])");
}

TEST(RefusalAggregatorTest, KeepsTheNewestHundredSamplesPerPartnerAndEveryCount) {
  RefusalAggregator agg;
  for (int i = 0; i < 10'000; ++i) {
    agg.Add(NotFound("p1", kT0 + i, "r" + std::to_string(i)));
    if (i % 100 == 0) agg.Add(NotFound("p2", kT0 + i, "q" + std::to_string(i)));
  }
  EXPECT_EQ(agg.pending_keys(), 2u);  // bounded by distinct keys, not by refusals
  std::optional<RefusalWrite> w = agg.Take(kT0);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(CountOf(*w, "p1", kT0, 404), 10'000);
  EXPECT_EQ(CountOf(*w, "p2", kT0, 404), 100);
  size_t p1 = 0;
  for (const RefusalSample& s : w->samples) p1 += s.partner_id == "p1";
  EXPECT_EQ(p1, 100u);
  EXPECT_EQ(w->samples.size(), 200u);
  EXPECT_EQ(w->samples.back().request_id, "r9999");
}

TEST(RefusalAggregatorTest, RestoreAddsBackWithoutLosingNewerOnes) {
  RefusalAggregator agg;
  for (int i = 0; i < 60; ++i) agg.Add(NotFound("p1", kT0 + i, "old" + std::to_string(i)));
  std::optional<RefusalWrite> failed = agg.Take(kT0);
  ASSERT_TRUE(failed.has_value());
  for (int i = 0; i < 60; ++i) agg.Add(NotFound("p1", kT0 + 100 + i, "new" + std::to_string(i)));
  agg.Restore(std::move(*failed));
  std::optional<RefusalWrite> w = agg.Take(kT0);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(CountOf(*w, "p1", kT0, 404), 120);
  ASSERT_EQ(w->samples.size(), 100u);
  EXPECT_EQ(w->samples.front().request_id, "old20");  // the oldest 20 went
  EXPECT_EQ(w->samples.back().request_id, "new59");
}

TEST(RefusalAggregatorTest, ConcurrentAddsAreAllCounted) {
  RefusalAggregator agg;
  std::vector<std::thread> threads;
  int64_t taken = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&agg] {
      for (int i = 0; i < 5000; ++i) agg.Add(NotFound("p1", kT0, "r"));
    });
  }
  for (int i = 0; i < 50; ++i) {
    if (auto w = agg.Take(kT0)) taken += CountOf(*w, "p1", kT0, 404);
  }
  for (std::thread& t : threads) t.join();
  if (auto w = agg.Take(kT0)) taken += CountOf(*w, "p1", kT0, 404);
  EXPECT_EQ(taken, 20'000);
}

TEST(RefusalFlusherTest, AFailedCommitIsRetriedByTheNextFlush) {
  test::FakeWriteStore store;
  GroupCommitWriter writer(store, GroupCommitOptions{});
  writer.Start();
  RefusalAggregator agg;
  ManualClock clock(kT0);
  RefusalFlusher flusher(agg, writer, clock, std::chrono::milliseconds(10));
  agg.Add(NotFound("p1", kT0, "r1"));
  store.Fail(true);
  EXPECT_FALSE(flusher.FlushOnce(/*wait=*/true));
  EXPECT_EQ(agg.pending_keys(), 1u);  // given back
  store.Fail(false);
  store.Writable(true);
  EXPECT_TRUE(flusher.FlushOnce(/*wait=*/true));
  EXPECT_EQ(agg.pending_keys(), 0u);
  EXPECT_TRUE(flusher.FlushOnce(/*wait=*/true));  // nothing to flush
  flusher.Stop();
  writer.Stop();
}

TEST(RefusalFlusherTest, StopFlushesWhatIsLeft) {
  test::FakeWriteStore store;
  GroupCommitWriter writer(store, GroupCommitOptions{});
  writer.Start();
  RefusalAggregator agg;
  ManualClock clock(kT0);
  RefusalFlusher flusher(agg, writer, clock, std::chrono::milliseconds(60'000));
  flusher.Start();
  agg.Add(NotFound("p1", kT0, "r1"));
  flusher.Stop();
  EXPECT_EQ(agg.pending_keys(), 0u);
  EXPECT_GE(writer.Stats().committed_ops, 1u);
  writer.Stop();
}

}  // namespace
}  // namespace thrad
