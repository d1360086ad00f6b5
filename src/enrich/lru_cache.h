#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace thrad {

// A bounded least-recently-used map from strings to small values, safe for many threads.
//
// Sharded by the key's hash: each shard has its own mutex, list and map, so the I/O threads
// classifying different user agents rarely wait for each other (one global mutex showed up in
// profiles of other services at this call rate; a shard's critical section is a hash lookup
// and a list splice). Each shard holds at most capacity / shards entries, so the whole cache
// never holds more than `capacity`; with fewer than `shards` entries of capacity it uses fewer
// shards. Values are copied out: no reference outlives the lock.
template <typename V>
class ShardedLruCache {
 public:
  // capacity 0: the cache stores nothing (every Get misses).
  explicit ShardedLruCache(size_t capacity, size_t shards = 16)
      : shards_(capacity == 0 ? 1 : std::min(shards == 0 ? 1 : shards, capacity)),
        per_shard_(capacity / shards_.size()) {}

  ShardedLruCache(const ShardedLruCache&) = delete;
  ShardedLruCache& operator=(const ShardedLruCache&) = delete;

  // The value for `key`, which becomes the most recently used; nullopt when absent.
  std::optional<V> Get(std::string_view key) {
    Shard& s = ShardFor(key);
    std::lock_guard lock(s.mu);
    auto it = s.map.find(key);
    if (it == s.map.end()) {
      ++s.misses;
      return std::nullopt;
    }
    s.order.splice(s.order.begin(), s.order, it->second);
    ++s.hits;
    return it->second->second;
  }

  // Inserts or replaces `key`, evicting the shard's least recently used entry when full.
  void Put(std::string_view key, V value) {
    if (per_shard_ == 0) return;
    Shard& s = ShardFor(key);
    std::lock_guard lock(s.mu);
    auto it = s.map.find(key);
    if (it != s.map.end()) {
      it->second->second = std::move(value);
      s.order.splice(s.order.begin(), s.order, it->second);
      return;
    }
    if (s.map.size() >= per_shard_) {
      // The map's key views the list node's string: erase it from the map first.
      s.map.erase(std::string_view(s.order.back().first));
      s.order.pop_back();
      ++s.evictions;
    }
    s.order.emplace_front(std::string(key), std::move(value));
    s.map.emplace(std::string_view(s.order.front().first), s.order.begin());
  }

  size_t Size() const {
    size_t n = 0;
    for (const Shard& s : shards_) {
      std::lock_guard lock(s.mu);
      n += s.map.size();
    }
    return n;
  }
  size_t Capacity() const { return per_shard_ * shards_.size(); }
  uint64_t Hits() const { return Sum(&Shard::hits); }
  uint64_t Misses() const { return Sum(&Shard::misses); }
  uint64_t Evictions() const { return Sum(&Shard::evictions); }

 private:
  using Entry = std::pair<std::string, V>;
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> order;  // most recently used first
    // Keys view the strings in `order` (list nodes never move), so a hit allocates nothing.
    std::unordered_map<std::string_view, typename std::list<Entry>::iterator> map;
    // Counted under `mu`, per shard: one counter shared by every thread would bounce its
    // cache line between the I/O threads on every look-up.
    uint64_t hits = 0, misses = 0, evictions = 0;
  };

  uint64_t Sum(uint64_t Shard::*counter) const {
    uint64_t n = 0;
    for (const Shard& s : shards_) {
      std::lock_guard lock(s.mu);
      n += s.*counter;
    }
    return n;
  }

  Shard& ShardFor(std::string_view key) {
    return shards_[std::hash<std::string_view>{}(key) % shards_.size()];
  }

  std::vector<Shard> shards_;
  const size_t per_shard_;
};

}  // namespace thrad
