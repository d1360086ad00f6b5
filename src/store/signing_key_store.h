#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/signing_key.h"

namespace thrad {

// The signing-key role (CLICKS.md section 1): click-signing secrets kept in the store, so
// every server on one database shares them.
//
// Thread-safety: every method may be called from any thread at any time.
class SigningKeyStore {
 public:
  virtual ~SigningKeyStore() = default;

  // AlreadyExists when the kid exists.
  virtual Status InsertSigningKey(const SigningKeyRecord& key) = 0;
  // Every key, revoked ones included, oldest first (by created_at, then kid).
  virtual Result<std::vector<SigningKeyRecord>> ListSigningKeys() = 0;
  // Sets retired_at (once: a later retire keeps the first time). NotFound when no such kid;
  // FailedPrecondition-like InvalidArgument when the key is revoked.
  virtual Status RetireSigningKey(std::string_view kid, UnixMicros at) = 0;
  // Sets revoked_at (once). NotFound when no such kid.
  virtual Status RevokeSigningKey(std::string_view kid, UnixMicros at) = 0;
};

}  // namespace thrad
