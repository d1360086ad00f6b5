#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace thrad {
namespace {

constexpr double kMicrosPerSecond = 1e6;

int64_t CeilSeconds(double seconds) {
  if (!(seconds > 0)) return 0;
  return static_cast<int64_t>(std::ceil(seconds - 1e-9));
}

double Refilled(double tokens, int64_t updated, int64_t now, const RateLimit& limit) {
  const double elapsed = now > updated ? static_cast<double>(now - updated) / kMicrosPerSecond : 0;
  return std::min(static_cast<double>(limit.burst), tokens + elapsed * limit.rps);
}

}  // namespace

RateLimit EffectiveLimit(const KeyRecord& key, const RateLimit& server_default) {
  RateLimit limit = server_default;
  if (key.rate_limit_rps.has_value()) limit.rps = *key.rate_limit_rps;
  if (key.rate_limit_burst.has_value() && *key.rate_limit_burst > 0) {
    limit.burst = *key.rate_limit_burst;
  }
  return WithDefaultBurst(limit);
}

RateLimit WithDefaultBurst(RateLimit limit) {
  if (!limit.enabled()) return RateLimit{};
  if (limit.burst <= 0) limit.burst = std::max<int64_t>(1, CeilSeconds(limit.rps));
  return limit;
}

RateLimiter::RateLimiter(size_t max_keys)
    : max_per_shard_(std::max<size_t>(1, (max_keys + kShards - 1) / kShards)) {}

void RateLimiter::EvictLocked(Shard& shard, const RateLimit& limit, int64_t now_micros) {
  // A full bucket is the same as no bucket. Buckets are judged with the limit at hand: the
  // exact limit of another key is unknown here, and a wrong guess only resets a bucket.
  std::erase_if(shard.buckets, [&](const auto& entry) {
    const Bucket& b = entry.second;
    return Refilled(b.tokens, b.updated_micros, now_micros, limit) >= limit.burst;
  });
}

RateDecision RateLimiter::Acquire(std::string_view key_id, const RateLimit& limit,
                                  int64_t now_micros) {
  RateDecision d;
  if (!limit.enabled()) return d;
  d.limit = limit.burst;
  Shard& shard = shards_[Hash()(key_id) % kShards];

  std::lock_guard lock(shard.mu);
  auto it = shard.buckets.find(key_id);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) {
      EvictLocked(shard, limit, now_micros);
      if (shard.buckets.size() >= max_per_shard_) shard.buckets.clear();
    }
    it = shard.buckets
             .emplace(std::string(key_id), Bucket{static_cast<double>(limit.burst), now_micros})
             .first;
  }
  Bucket& b = it->second;
  b.tokens = Refilled(b.tokens, b.updated_micros, now_micros, limit);
  b.updated_micros = std::max(b.updated_micros, now_micros);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
  } else {
    d.allowed = false;
    d.retry_after_seconds = std::max<int64_t>(1, CeilSeconds((1.0 - b.tokens) / limit.rps));
  }
  d.remaining = static_cast<int64_t>(std::floor(b.tokens));
  d.reset_seconds = CeilSeconds((static_cast<double>(limit.burst) - b.tokens) / limit.rps);
  return d;
}

size_t RateLimiter::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.buckets.size();
  }
  return n;
}

}  // namespace thrad
