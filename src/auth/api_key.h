#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/records.h"

namespace thrad {

// Every secret starts with this prefix, so a leaked key is recognizable by scanners.
inline constexpr std::string_view kKeySecretPrefix = "thr_";
// 32 random bytes = 256 bits of entropy, as the spec requires.
inline constexpr size_t kKeySecretRandomBytes = 32;
// What a key gets when no scopes are asked for: collect and conversion (never clicks).
inline constexpr uint32_t kAllScopes =
    static_cast<uint32_t>(Scope::kCollect) | static_cast<uint32_t>(Scope::kConversion);

// A freshly generated key. `secret` exists only here: it is shown once to the operator and
// never stored or logged; `record` holds its digest.
struct NewKey {
  KeyRecord record;
  std::string secret;
};

// Generates a key: secret "thr_" + base64url(32 random bytes), id "key_" + 16 hex chars,
// digest = KeyDigest(secret), created_at = now. Does not store it.
NewKey GenerateKey(std::string partner_id, std::string label, uint32_t scopes,
                   std::optional<UnixMicros> expires_at, UnixMicros now);

// Lowercase hex SHA-256 of the secret: what the store keeps and looks keys up by.
std::string KeyDigest(std::string_view secret);

// Parses "collect,conversion" (comma separated, surrounding spaces ignored, at least one,
// repeats allowed) into a Scope bit set. Unknown or empty names are InvalidArgument.
Result<uint32_t> ParseScopes(std::string_view csv);

// The scope names in a fixed order ("collect", "conversion"), comma separated.
std::string ScopesToString(uint32_t scopes);

// Checks a key's rate-limit override (KeyRecord::rate_limit_rps, rate_limit_burst): an rps of
// 0 or more (0: no limit for this key), a burst of 1 or more; absent values are the server's
// defaults. InvalidArgument naming the first bad value otherwise.
Status ValidateRateLimitOverride(std::optional<double> rate_limit_rps,
                                 std::optional<int64_t> rate_limit_burst);

// Extracts the token from an Authorization header value "Bearer <token>": the scheme is
// case-insensitive, followed by one or more spaces; the token is trimmed of spaces and tabs.
// Returns nullopt for another scheme, a missing separator, or an empty token. The returned
// view points into `authorization_header`.
std::optional<std::string_view> ParseBearerToken(std::string_view authorization_header);

}  // namespace thrad
