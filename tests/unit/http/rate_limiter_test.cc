#include "http/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace thrad {
namespace {

constexpr int64_t kSecond = 1'000'000;

TEST(RateLimiterTest, BurstThenRefusedWithHeaders) {
  RateLimiter limiter;
  const RateLimit limit{2.0, 3};
  int64_t now = 100 * kSecond;
  for (int i = 0; i < 3; ++i) {
    RateDecision d = limiter.Acquire("key_a", limit, now);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, 2 - i);
  }
  RateDecision refused = limiter.Acquire("key_a", limit, now);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after_seconds, 1);  // one token in 0.5 s, rounded up
  EXPECT_EQ(refused.reset_seconds, 2);        // three tokens in 1.5 s, rounded up
}

TEST(RateLimiterTest, RefillsAtTheRate) {
  RateLimiter limiter;
  const RateLimit limit{10.0, 1};
  int64_t now = 5 * kSecond;
  EXPECT_TRUE(limiter.Acquire("k", limit, now).allowed);
  EXPECT_FALSE(limiter.Acquire("k", limit, now + kSecond / 20).allowed);
  EXPECT_TRUE(limiter.Acquire("k", limit, now + kSecond / 10).allowed);
  // A clock step backwards refills nothing and breaks nothing.
  EXPECT_FALSE(limiter.Acquire("k", limit, now).allowed);
}

TEST(RateLimiterTest, SlowRateGivesLongRetryAfter) {
  RateLimiter limiter;
  const RateLimit limit{0.1, 1};
  EXPECT_TRUE(limiter.Acquire("k", limit, 0).allowed);
  RateDecision d = limiter.Acquire("k", limit, 0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 10);
}

TEST(RateLimiterTest, KeysAreIndependent) {
  RateLimiter limiter;
  const RateLimit limit{1.0, 1};
  EXPECT_TRUE(limiter.Acquire("a", limit, 0).allowed);
  EXPECT_FALSE(limiter.Acquire("a", limit, 0).allowed);
  EXPECT_TRUE(limiter.Acquire("b", limit, 0).allowed);
}

TEST(RateLimiterTest, DisabledLimitAlwaysAllowsAndKeepsNothing) {
  RateLimiter limiter;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Acquire("a", RateLimit{}, 0).allowed);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiterTest, LoweredBurstCapsTheBucket) {
  RateLimiter limiter;
  EXPECT_EQ(limiter.Acquire("a", RateLimit{1.0, 100}, 0).remaining, 99);
  RateDecision d = limiter.Acquire("a", RateLimit{1.0, 2}, 0);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 1);
  EXPECT_EQ(d.limit, 2);
}

TEST(RateLimiterTest, MemoryStaysBounded) {
  RateLimiter limiter(/*max_keys=*/64);
  const RateLimit limit{1.0, 5};
  for (int i = 0; i < 10'000; ++i) {
    (void)limiter.Acquire("key_" + std::to_string(i), limit, int64_t{i} * 1000);
  }
  EXPECT_LE(limiter.size(), 64u + 32u);
}

TEST(RateLimiterTest, ConcurrentCallersShareOneBucketExactly) {
  RateLimiter limiter;
  const RateLimit limit{0.001, 1000};  // no refill to speak of during the test
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.Acquire("shared", limit, 0).allowed) allowed.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 1000);
}

TEST(EffectiveLimitTest, KeyOverridesServerDefault) {
  KeyRecord key;
  const RateLimit server{100.0, 200};
  RateLimit l = EffectiveLimit(key, server);
  EXPECT_EQ(l.rps, 100.0);
  EXPECT_EQ(l.burst, 200);

  key.rate_limit_rps = 5.0;
  l = EffectiveLimit(key, server);
  EXPECT_EQ(l.rps, 5.0);
  EXPECT_EQ(l.burst, 200);

  key.rate_limit_burst = 7;
  l = EffectiveLimit(key, server);
  EXPECT_EQ(l.burst, 7);

  key.rate_limit_rps = 0.0;  // exempt
  EXPECT_FALSE(EffectiveLimit(key, server).enabled());
}

TEST(EffectiveLimitTest, BurstDefaultsToTheRate) {
  KeyRecord key;
  key.rate_limit_rps = 2.5;
  RateLimit l = EffectiveLimit(key, RateLimit{});
  EXPECT_EQ(l.burst, 3);
  key.rate_limit_rps = 0.2;
  EXPECT_EQ(EffectiveLimit(key, RateLimit{}).burst, 1);
  EXPECT_FALSE(EffectiveLimit(KeyRecord{}, RateLimit{}).enabled());
}

}  // namespace
}  // namespace thrad
