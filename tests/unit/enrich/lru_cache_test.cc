#include "enrich/lru_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace thrad {
namespace {

TEST(ShardedLruCacheTest, GetReturnsWhatPutStored) {
  ShardedLruCache<int> c(10, 1);
  EXPECT_EQ(c.Get("a"), std::nullopt);
  c.Put("a", 1);
  c.Put("b", 2);
  EXPECT_EQ(c.Get("a"), 1);
  EXPECT_EQ(c.Get("b"), 2);
  c.Put("a", 3);  // replaces
  EXPECT_EQ(c.Get("a"), 3);
  EXPECT_EQ(c.Size(), 2u);
  EXPECT_EQ(c.Hits(), 3u);
  EXPECT_EQ(c.Misses(), 1u);
}

TEST(ShardedLruCacheTest, EvictsTheLeastRecentlyUsed) {
  ShardedLruCache<int> c(3, 1);
  c.Put("a", 1);
  c.Put("b", 2);
  c.Put("c", 3);
  EXPECT_EQ(c.Get("a"), 1);  // a is now the most recent; b the least
  c.Put("d", 4);
  EXPECT_EQ(c.Get("b"), std::nullopt);
  EXPECT_EQ(c.Get("a"), 1);
  EXPECT_EQ(c.Get("c"), 3);
  EXPECT_EQ(c.Get("d"), 4);
  EXPECT_EQ(c.Size(), 3u);
  EXPECT_EQ(c.Evictions(), 1u);
  c.Put("c", 30);  // replacing refreshes too: a is now the least recent
  c.Put("e", 5);
  EXPECT_EQ(c.Get("a"), std::nullopt);
  EXPECT_EQ(c.Get("c"), 30);
}

TEST(ShardedLruCacheTest, NeverHoldsMoreThanItsCapacity) {
  for (size_t capacity : {1u, 5u, 16u, 17u, 100u, 1000u}) {
    ShardedLruCache<std::string> c(capacity);
    for (int i = 0; i < 5000; ++i) c.Put("key" + std::to_string(i), "v");
    EXPECT_LE(c.Size(), capacity) << capacity;
    EXPECT_LE(c.Capacity(), capacity) << capacity;
    // Bounded per shard, yet close to full (keys spread over the shards).
    EXPECT_GE(c.Size(), capacity / 2) << capacity;
  }
}

TEST(ShardedLruCacheTest, ZeroCapacityStoresNothing) {
  ShardedLruCache<int> c(0);
  c.Put("a", 1);
  EXPECT_EQ(c.Get("a"), std::nullopt);
  EXPECT_EQ(c.Size(), 0u);
}

TEST(ShardedLruCacheTest, ConcurrentGetsAndPutsStayConsistent) {
  ShardedLruCache<std::string> c(256);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20'000; ++i) {
        std::string key = "ua-" + std::to_string((i * 7 + t) % 600);
        if (std::optional<std::string> v = c.Get(key)) {
          if (*v != "value of " + key) wrong.fetch_add(1);
        } else {
          c.Put(key, "value of " + key);
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(c.Size(), 256u);
  EXPECT_EQ(c.Hits() + c.Misses(), 80'000u);
  EXPECT_GT(c.Hits(), 0u);
}

}  // namespace
}  // namespace thrad
