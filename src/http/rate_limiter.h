#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/records.h"

namespace thrad {

// A token-bucket limit: `rps` tokens per second refill a bucket of `burst` tokens; a
// request takes one. rps <= 0 means unlimited.
struct RateLimit {
  double rps = 0;
  int64_t burst = 0;

  bool enabled() const { return rps > 0; }
};

// The limit for `key`: each of its own override values when set, else the server-wide
// default's. A key rps of 0 exempts the key. A burst of 0 (unset everywhere) becomes
// ceil(rps), at least 1.
RateLimit EffectiveLimit(const KeyRecord& key, const RateLimit& server_default);

// `limit` ready for Acquire: disabled stays disabled (rps 0), a burst of 0 becomes ceil(rps),
// at least 1.
RateLimit WithDefaultBurst(RateLimit limit);

// One request's verdict, with what the RateLimit-* and Retry-After headers report.
struct RateDecision {
  bool allowed = true;
  int64_t limit = 0;                // bucket size (RateLimit-Limit)
  int64_t remaining = 0;            // whole tokens left after this request (RateLimit-Remaining)
  int64_t reset_seconds = 0;        // until the bucket is full again (RateLimit-Reset)
  int64_t retry_after_seconds = 0;  // until one token is available; set when refused
};

// Per-key token buckets. Lock-light: keys are spread over independent shards, each with
// its own mutex held for a few arithmetic operations, so one key at its limit never
// slows the others. Memory is bounded by `max_keys`: a shard that is full first forgets
// buckets that have refilled completely (forgetting them changes nothing), and only if
// that is not enough forgets all of its buckets.
//
// Thread-safety: every method may be called from any thread.
class RateLimiter {
 public:
  static constexpr size_t kDefaultMaxKeys = 100'000;

  explicit RateLimiter(size_t max_keys = kDefaultMaxKeys);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token from `key_id`'s bucket at `now_micros` (a clock that may be the wall
  // clock: a step backwards refills nothing). A bucket starts full. When `limit` changed
  // since the last call (a key update), the bucket keeps its tokens, capped to the new burst.
  RateDecision Acquire(std::string_view key_id, const RateLimit& limit, int64_t now_micros);

  // Buckets held now (tests and metrics).
  size_t size() const;

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_micros = 0;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Bucket, Hash, std::equal_to<>> buckets;  // guarded by mu
  };
  static constexpr size_t kShards = 32;

  static void EvictLocked(Shard& shard, const RateLimit& limit, int64_t now_micros);

  const size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace thrad
