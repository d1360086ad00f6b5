#include "auth/key_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "auth/api_key.h"
#include "store/key_store.h"
#include "testing/status_matchers.h"

namespace thrad {
namespace {

using std::chrono::milliseconds;

constexpr int64_t kMs = 1000;  // microseconds per millisecond

// The key role only: counts FindKeyByDigest calls and can be told to fail. This tests the
// cache, not a store.
class FakeKeyStore final : public KeyStore {
 public:
  void Put(const KeyRecord& k) {
    std::lock_guard lock(mu_);
    keys_[k.digest] = k;
  }
  int finds() const { return finds_.load(); }
  void set_fail(bool fail) { fail_ = fail; }

  Status InsertKey(const KeyRecord& key) override {
    Put(key);
    return Status::Ok();
  }
  Result<std::optional<KeyRecord>> FindKeyByDigest(std::string_view digest) override {
    ++finds_;
    if (fail_) return Status::IoError("disk on fire");
    std::lock_guard lock(mu_);
    auto it = keys_.find(std::string(digest));
    if (it == keys_.end()) return std::optional<KeyRecord>();
    return std::optional<KeyRecord>(it->second);
  }
  Result<std::optional<KeyRecord>> FindKeyById(std::string_view) override {
    return Status::Internal("not used by this test");
  }
  Result<std::vector<KeyRecord>> ListKeys(std::optional<std::string>) override {
    return std::vector<KeyRecord>();
  }
  Status RevokeKey(std::string_view key_id, UnixMicros at) override {
    std::lock_guard lock(mu_);
    for (auto& [d, k] : keys_) {
      if (k.id == key_id) {
        k.revoked_at = at;
        return Status::Ok();
      }
    }
    return Status::NotFound("no key");
  }
  Status TouchKeys(const std::vector<std::pair<std::string, UnixMicros>>&) override {
    return Status::Ok();
  }
  Status UpdateKeyLimits(std::string_view, std::optional<double>, std::optional<int64_t>) override {
    return Status::Internal("not used by this test");
  }

 private:
  std::mutex mu_;
  std::map<std::string, KeyRecord> keys_;
  std::atomic<int> finds_{0};
  std::atomic<bool> fail_{false};
};

class KeyCacheTest : public ::testing::Test {
 protected:
  NewKey AddKey(std::optional<UnixMicros> expires_at = std::nullopt) {
    NewKey k = GenerateKey("p1", "label", kAllScopes, expires_at, clock_.NowMicros());
    store_.Put(k.record);
    return k;
  }

  ManualClock clock_{1'700'000'000'000'000};
  FakeKeyStore store_;
  KeyCache cache_{store_, clock_, milliseconds(2000), 100};
};

TEST_F(KeyCacheTest, FindsActiveKey) {
  NewKey k = AddKey();
  auto r = cache_.Lookup(k.secret);
  ASSERT_OK(r);
  ASSERT_NE(*r, nullptr);
  EXPECT_EQ((*r)->id, k.record.id);
  EXPECT_EQ((*r)->partner_id, "p1");
  EXPECT_EQ(store_.finds(), 1);
}

TEST_F(KeyCacheTest, ServesFromCacheWithinTtl) {
  NewKey k = AddKey();
  for (int i = 0; i < 10; ++i) {
    auto r = cache_.Lookup(k.secret);
    ASSERT_OK(r);
    ASSERT_NE(*r, nullptr);
    clock_.Advance(100 * kMs);  // 10 * 100 ms < 2 s
  }
  EXPECT_EQ(store_.finds(), 1);
  clock_.Advance(1000 * kMs);  // now 2 s after the fetch
  ASSERT_NE(*cache_.Lookup(k.secret), nullptr);
  EXPECT_EQ(store_.finds(), 2);
}

TEST_F(KeyCacheTest, UnknownKeyIsNullAndNegativelyCached) {
  for (int i = 0; i < 5; ++i) {
    auto r = cache_.Lookup("thr_garbage");
    ASSERT_OK(r);
    EXPECT_EQ(*r, nullptr);
  }
  EXPECT_EQ(store_.finds(), 1);
  clock_.Advance(2000 * kMs);
  EXPECT_EQ(*cache_.Lookup("thr_garbage"), nullptr);
  EXPECT_EQ(store_.finds(), 2);
}

TEST_F(KeyCacheTest, NewKeyFoundAfterNegativeEntryExpires) {
  NewKey k = GenerateKey("p1", "l", kAllScopes, std::nullopt, clock_.NowMicros());
  EXPECT_EQ(*cache_.Lookup(k.secret), nullptr);
  store_.Put(k.record);
  EXPECT_EQ(*cache_.Lookup(k.secret), nullptr);  // still the cached negative answer
  clock_.Advance(2000 * kMs);
  EXPECT_NE(*cache_.Lookup(k.secret), nullptr);
}

TEST_F(KeyCacheTest, RevocationSeenAfterTtl) {
  NewKey k = AddKey();
  ASSERT_NE(*cache_.Lookup(k.secret), nullptr);
  ASSERT_OK(store_.RevokeKey(k.record.id, clock_.NowMicros()));
  clock_.Advance(1999 * kMs);
  EXPECT_NE(*cache_.Lookup(k.secret), nullptr);  // within ttl: stale but allowed
  clock_.Advance(1 * kMs);
  EXPECT_EQ(*cache_.Lookup(k.secret), nullptr);
  EXPECT_EQ(*cache_.Lookup(k.secret), nullptr);
  EXPECT_EQ(store_.finds(), 2);  // the revoked record is cached too
}

TEST_F(KeyCacheTest, ExpiryCheckedOnEveryCall) {
  NewKey k = AddKey(clock_.NowMicros() + 500 * kMs);
  ASSERT_NE(*cache_.Lookup(k.secret), nullptr);
  clock_.Advance(499 * kMs);
  EXPECT_NE(*cache_.Lookup(k.secret), nullptr);
  clock_.Advance(1 * kMs);  // exactly at expires_at: expired
  EXPECT_EQ(*cache_.Lookup(k.secret), nullptr);
  EXPECT_EQ(store_.finds(), 1);  // decided from the cached record
}

TEST_F(KeyCacheTest, AlreadyExpiredKeyIsNull) {
  NewKey k = AddKey(clock_.NowMicros() - 1);
  EXPECT_EQ(*cache_.Lookup(k.secret), nullptr);
}

TEST_F(KeyCacheTest, StoreErrorIsUnavailableAndNotCached) {
  NewKey k = AddKey();
  store_.set_fail(true);
  auto r = cache_.Lookup(k.secret);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message().find(k.secret), std::string::npos);
  store_.set_fail(false);
  auto r2 = cache_.Lookup(k.secret);
  ASSERT_OK(r2);
  EXPECT_NE(*r2, nullptr);
  EXPECT_EQ(store_.finds(), 2);
}

TEST_F(KeyCacheTest, FailedReadMakesTheStoreUnhealthyUntilAReadSucceeds) {
  StoreHealth health;
  cache_.ReportHealthTo(&health);
  NewKey k = AddKey();
  cache_.ProbeIfFailing();  // healthy: no read
  EXPECT_EQ(store_.finds(), 0);
  store_.set_fail(true);
  ASSERT_FALSE(cache_.Lookup(k.secret).ok());
  EXPECT_FALSE(cache_.reads_healthy());
  EXPECT_FALSE(health.healthy());
  EXPECT_FALSE(health.healthy(StoreHealth::Reporter::kKeyReads));
  EXPECT_TRUE(health.healthy(StoreHealth::Reporter::kWriter));
  cache_.ProbeIfFailing();  // still failing
  EXPECT_EQ(store_.finds(), 2);
  EXPECT_FALSE(health.healthy());
  // Recovers without a look-up: the probe's read succeeds.
  store_.set_fail(false);
  cache_.ProbeIfFailing();
  EXPECT_EQ(store_.finds(), 3);
  EXPECT_TRUE(cache_.reads_healthy());
  EXPECT_TRUE(health.healthy());
  cache_.ProbeIfFailing();
  EXPECT_EQ(store_.finds(), 3);
  // A look-up's successful read recovers it too.
  store_.set_fail(true);
  ASSERT_FALSE(cache_.Lookup("thr_other").ok());
  EXPECT_FALSE(health.healthy());
  store_.set_fail(false);
  ASSERT_NE(*cache_.Lookup(k.secret), nullptr);
  EXPECT_TRUE(health.healthy());
}

TEST(StoreHealthTest, HealthyWhileNoReporterFails) {
  StoreHealth health;
  EXPECT_TRUE(health.healthy());
  health.Report(StoreHealth::Reporter::kWriter, false);
  health.Report(StoreHealth::Reporter::kKeyReads, false);
  health.Report(StoreHealth::Reporter::kWriter, true);
  EXPECT_FALSE(health.healthy());
  health.Report(StoreHealth::Reporter::kKeyReads, true);
  EXPECT_TRUE(health.healthy());
}

TEST_F(KeyCacheTest, ClockGoingBackwardsRefetches) {
  NewKey k = AddKey();
  ASSERT_NE(*cache_.Lookup(k.secret), nullptr);
  clock_.Advance(-10'000 * kMs);
  ASSERT_NE(*cache_.Lookup(k.secret), nullptr);
  EXPECT_EQ(store_.finds(), 2);
}

TEST_F(KeyCacheTest, BoundedSize) {
  for (int i = 0; i < 1000; ++i) {
    ASSERT_OK(cache_.Lookup("thr_garbage" + std::to_string(i)));
    ASSERT_LE(cache_.size(), 100u);
  }
  NewKey k = AddKey();
  EXPECT_NE(*cache_.Lookup(k.secret), nullptr);
  EXPECT_LE(cache_.size(), 100u);
}

TEST_F(KeyCacheTest, FullCacheDropsStaleEntriesFirst) {
  KeyCache small(store_, clock_, milliseconds(2000), 3);
  NewKey a = AddKey();
  ASSERT_NE(*small.Lookup(a.secret), nullptr);
  ASSERT_OK(small.Lookup("thr_x"));
  clock_.Advance(3000 * kMs);  // both entries stale
  NewKey b = AddKey();
  ASSERT_NE(*small.Lookup(b.secret), nullptr);
  ASSERT_OK(small.Lookup("thr_y"));  // full: the two stale entries go
  EXPECT_EQ(small.size(), 2u);
}

TEST_F(KeyCacheTest, UsageDrain) {
  EXPECT_TRUE(cache_.DrainUsage().empty());
  cache_.NoteUse("key_a", 10);
  cache_.NoteUse("key_a", 30);
  cache_.NoteUse("key_a", 20);  // older: ignored
  cache_.NoteUse("key_b", 5);
  auto used = cache_.DrainUsage();
  std::map<std::string, UnixMicros> m(used.begin(), used.end());
  EXPECT_EQ(used.size(), 2u);
  EXPECT_EQ(m["key_a"], 30);
  EXPECT_EQ(m["key_b"], 5);
  EXPECT_TRUE(cache_.DrainUsage().empty());
  cache_.NoteUse("key_b", 7);
  used = cache_.DrainUsage();
  ASSERT_EQ(used.size(), 1u);
  EXPECT_EQ(used[0], std::make_pair(std::string("key_b"), UnixMicros{7}));
}

TEST_F(KeyCacheTest, ConcurrentLookupsAndUses) {
  NewKey k = AddKey();
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        auto r = cache_.Lookup(i % 2 ? k.secret : "thr_bad" + std::to_string(i % 7));
        if (r.ok() && *r != nullptr) ++found;
        cache_.NoteUse(k.record.id, t * 1000 + i);
        if (i % 50 == 0) clock_.Advance(500 * kMs);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(found.load(), 4 * 250);
  auto used = cache_.DrainUsage();
  ASSERT_EQ(used.size(), 1u);
  EXPECT_EQ(used[0].second, 3 * 1000 + 499);
}

}  // namespace
}  // namespace thrad
