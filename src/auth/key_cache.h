#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "model/records.h"
#include "store/key_store.h"
#include "store/store_health.h"

namespace thrad {

// Resolves API key secrets to key records, caching store look-ups by digest for `ttl`.
//
// Contract:
// - A positive or negative (no such key) answer is reused for less than `ttl` after it was
//   read from the store, so a revocation made anywhere is seen within `ttl` (the spec
//   allows 5 s). Expiry is checked against the clock on every call.
// - Store errors are not cached. A failed read counts as the store being unhealthy
//   (reads_healthy(), and StoreHealth::Reporter::kKeyReads when a StoreHealth is given) until
//   a later read, a look-up's or ProbeIfFailing's, succeeds.
// - Only digests are kept; the secret is never stored, logged or put in a message.
// - At most `max_entries` digests are cached; when full, stale entries are dropped and, if
//   that is not enough, the whole cache is cleared.
//
// Thread-safety: every method may be called from any thread. `store` and `clock` must
// outlive the cache; the store's FindKeyByDigest must be callable from any thread.
class KeyCache {
 public:
  static constexpr std::chrono::milliseconds kDefaultTtl{2000};
  static constexpr size_t kDefaultMaxEntries = 100000;

  KeyCache(KeyStore& store, const Clock& clock, std::chrono::milliseconds ttl = kDefaultTtl,
           size_t max_entries = kDefaultMaxEntries);

  KeyCache(const KeyCache&) = delete;
  KeyCache& operator=(const KeyCache&) = delete;

  // The active key whose secret is `secret`, or nullptr when no active key matches
  // (unknown, revoked, or expired now). Unavailable when the store could not be read.
  Result<std::shared_ptr<const KeyRecord>> Lookup(std::string_view secret);

  // Remembers that `key_id` was used at `at` (the latest time per key wins). In memory only.
  void NoteUse(const std::string& key_id, UnixMicros at);

  // Returns the uses noted since the last call, one (key_id, latest time) per key, and
  // forgets them. The server flushes them to KeyStore::TouchKeys.
  std::vector<std::pair<std::string, UnixMicros>> DrainUsage();

  // Number of cached digests (for tests and metrics).
  size_t size() const;

  // Also reports whether each store read succeeded to `health`, which must outlive the cache.
  // Call before the first Lookup.
  void ReportHealthTo(StoreHealth* health) { health_ = health; }
  // False from a failed store read until a later one succeeds.
  bool reads_healthy() const { return reads_healthy_.load(std::memory_order_relaxed); }
  // While the last store read failed, reads the store once more (a digest no key has) and
  // reports the outcome; does nothing otherwise. Run periodically (the server does, about once
  // a second), so the health recovers when no request comes to try a key.
  void ProbeIfFailing();

 private:
  struct Entry {
    std::shared_ptr<const KeyRecord> record;  // nullptr: no key has this digest
    UnixMicros fetched_at = 0;
  };

  bool Fresh(const Entry& e, UnixMicros now) const;
  // Reads `digest` from the store and reports whether the read worked.
  Result<std::optional<KeyRecord>> ReadStore(std::string_view digest);
  void InsertLocked(std::string digest, Entry entry, UnixMicros now);

  KeyStore& store_;
  const Clock& clock_;
  const int64_t ttl_micros_;
  const size_t max_entries_;
  StoreHealth* health_ = nullptr;  // not owned; null: nobody else is told
  std::atomic<bool> reads_healthy_{true};

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // by digest; guarded by mu_

  std::mutex usage_mu_;
  std::unordered_map<std::string, UnixMicros> usage_;  // guarded by usage_mu_
};

}  // namespace thrad
