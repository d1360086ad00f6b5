#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model/records.h"

namespace thrad {

// The API-key role: the key cache's look-ups, the server's last-use flushes and the `keys`
// commands. Checking a key's fields (e.g. its rate-limit override: ValidateRateLimitOverride in
// auth/api_key.h) is the caller's, not the store's.
//
// Thread-safety: every method may be called from any thread at any time.
class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // AlreadyExists when a key with this id or digest exists.
  virtual Status InsertKey(const KeyRecord& key) = 0;
  // nullopt when no key has this digest / id (revoked and expired keys are found).
  virtual Result<std::optional<KeyRecord>> FindKeyByDigest(std::string_view digest) = 0;
  virtual Result<std::optional<KeyRecord>> FindKeyById(std::string_view key_id) = 0;
  // Every key, or only `partner_id`'s, oldest first (by created_at, then id).
  virtual Result<std::vector<KeyRecord>> ListKeys(std::optional<std::string> partner_id) = 0;
  // Keeps the first revocation time when revoked twice. NotFound when no such key.
  virtual Status RevokeKey(std::string_view key_id, UnixMicros at) = 0;
  // Sets each key's last_used_at, never moving it backwards; unknown ids are ignored.
  virtual Status TouchKeys(const std::vector<std::pair<std::string, UnixMicros>>& last_used) = 0;

  // Sets (or, with nullopt, clears) a key's rate-limit override. NotFound when no such key.
  virtual Status UpdateKeyLimits(std::string_view key_id, std::optional<double> rate_limit_rps,
                                 std::optional<int64_t> rate_limit_burst) = 0;
};

}  // namespace thrad
