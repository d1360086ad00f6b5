#pragma once

#include <chrono>
#include <memory>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/refreshed_snapshot.h"
#include "common/status.h"
#include "model/signing_key.h"
#include "store/signing_key_store.h"

namespace thrad {

// The signing keys as one server sees them: read from the store and reused for less than
// `refresh` (default 2 s), so that a key created, retired or revoked by any process takes
// effect on every server within 5 s (CLICKS.md section 1).
//
// Contract:
// - Signer() is the newest active key (by created_at, then kid); Verifier(kid) finds an active
//   or retired key; a revoked key does neither.
// - A store error while refreshing keeps the last keys read (signing and verifying go on
//   through an outage) and is retried `refresh` later; before any successful read it is
//   returned. While one caller reads the store, the others use the last keys.
// - Secrets stay in memory only; nothing here logs.
//
// Thread-safety: every method may be called from any thread.
class SigningKeyRing {
 public:
  static constexpr std::chrono::milliseconds kDefaultRefresh{2000};

  // One consistent view of the keys.
  class Snapshot {
   public:
    explicit Snapshot(std::vector<SigningKeyRecord> keys);
    // The key that signs new landing parameters and click URLs; nullptr when none is active.
    const SigningKeyRecord* Signer() const { return signer_; }
    // The key `kid` when it may verify (active or retired); nullptr otherwise.
    const SigningKeyRecord* Verifier(std::string_view kid) const;

   private:
    std::vector<SigningKeyRecord> keys_;
    const SigningKeyRecord* signer_ = nullptr;
  };

  SigningKeyRing(SigningKeyStore& store, const Clock& clock,
                 std::chrono::milliseconds refresh = kDefaultRefresh);

  SigningKeyRing(const SigningKeyRing&) = delete;
  SigningKeyRing& operator=(const SigningKeyRing&) = delete;

  // The current keys, refreshed from the store when older than `refresh`.
  Result<std::shared_ptr<const Snapshot>> Current() { return snapshot_.Current(); }

 private:
  RefreshedSnapshot<Snapshot> snapshot_;
};

}  // namespace thrad
