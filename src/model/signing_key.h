#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "model/records.h"

namespace thrad {

// A click-signing key (CLICKS.md section 1): an HMAC-SHA256 secret kept in the store so that
// every server on one database shares it. The newest active key signs; active and retired
// keys verify; a revoked key does neither.
inline constexpr size_t kSigningSecretBytes = 32;

enum class SigningKeyState { kActive, kRetired, kRevoked };

struct SigningKeyRecord {
  std::string kid;     // "sk_" + 1-32 of [A-Za-z0-9]
  std::string secret;  // kSigningSecretBytes raw bytes; never logged or listed
  UnixMicros created_at = 0;
  std::optional<UnixMicros> retired_at;
  std::optional<UnixMicros> revoked_at;

  SigningKeyState state() const {
    if (revoked_at) return SigningKeyState::kRevoked;
    if (retired_at) return SigningKeyState::kRetired;
    return SigningKeyState::kActive;
  }
};

// "active", "retired", "revoked".
std::string_view SigningKeyStateName(SigningKeyState state);

// "sk_" followed by 1-32 characters of [A-Za-z0-9].
bool IsValidKid(std::string_view kid);

}  // namespace thrad
