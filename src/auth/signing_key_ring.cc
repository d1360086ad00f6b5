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
    : store_(store),
      clock_(clock),
      refresh_micros_(std::chrono::duration_cast<std::chrono::microseconds>(refresh).count()) {}

Result<std::shared_ptr<const SigningKeyRing::Snapshot>> SigningKeyRing::Current() {
  const UnixMicros now = clock_.NowMicros();
  {
    std::lock_guard lock(mu_);
    const bool fresh = now - fetched_at_ < refresh_micros_ && now >= fetched_at_;
    if (snapshot_ && (fresh || refreshing_)) return snapshot_;  // others use the last keys
    refreshing_ = true;
  }
  // Read outside the lock: a slow store delays only this caller.
  Result<std::vector<SigningKeyRecord>> keys = store_.ListSigningKeys();
  std::lock_guard lock(mu_);
  refreshing_ = false;
  fetched_at_ = now;  // after a failure too: the next try waits `refresh`
  if (!keys.ok()) {
    if (snapshot_) return snapshot_;
    return keys.status();
  }
  snapshot_ = std::make_shared<const Snapshot>(std::move(keys).value());
  return snapshot_;
}

}  // namespace thrad
