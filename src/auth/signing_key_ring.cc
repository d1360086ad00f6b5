#include "auth/signing_key_ring.h"

#include <algorithm>
#include <utility>

namespace thrad {

SigningKeyRing::Snapshot::Snapshot(std::vector<SigningKeyRecord> keys) : keys_(std::move(keys)) {
  for (const SigningKeyRecord& k : keys_) {
    if (k.state() != SigningKeyState::kActive) continue;
    if (signer_ == nullptr || k.created_at > signer_->created_at ||
        (k.created_at == signer_->created_at && k.kid > signer_->kid)) {
      signer_ = &k;
    }
  }
}

const SigningKeyRecord* SigningKeyRing::Snapshot::Verifier(std::string_view kid) const {
  for (const SigningKeyRecord& k : keys_) {
    if (k.kid == kid) return k.state() == SigningKeyState::kRevoked ? nullptr : &k;
  }
  return nullptr;
}

SigningKeyRing::SigningKeyRing(SigningKeyStore& store, const Clock& clock,
                               std::chrono::milliseconds refresh)
    : snapshot_(clock, refresh, [&store]() -> Result<std::shared_ptr<const Snapshot>> {
        Result<std::vector<SigningKeyRecord>> keys = store.ListSigningKeys();
        if (!keys.ok()) return keys.status();
        return std::make_shared<const Snapshot>(std::move(keys).value());
      }) {}

}  // namespace thrad
