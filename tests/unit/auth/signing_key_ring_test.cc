#include "auth/signing_key_ring.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "testing/status_matchers.h"

namespace thrad {
namespace {

// The signing-key role in memory; can be made to fail.
class FakeSigningKeyStore : public SigningKeyStore {
 public:
  Status InsertSigningKey(const SigningKeyRecord& key) override {
    keys_[key.kid] = key;
    return Status::Ok();
  }
  Result<std::vector<SigningKeyRecord>> ListSigningKeys() override {
    ++reads;
    if (fail) return Status::Unavailable("store down");
    std::vector<SigningKeyRecord> out;
    for (const auto& [kid, k] : keys_) out.push_back(k);
    return out;
  }
  Status RetireSigningKey(std::string_view kid, UnixMicros at) override {
    keys_.at(std::string(kid)).retired_at = at;
    return Status::Ok();
  }
  Status RevokeSigningKey(std::string_view kid, UnixMicros at) override {
    keys_.at(std::string(kid)).revoked_at = at;
    return Status::Ok();
  }

  bool fail = false;
  int reads = 0;

 private:
  std::map<std::string, SigningKeyRecord> keys_;
};

SigningKeyRecord Key(std::string kid, UnixMicros created_at) {
  SigningKeyRecord k;
  k.kid = std::move(kid);
  k.secret = std::string(32, 's');
  k.created_at = created_at;
  return k;
}

class SigningKeyRingTest : public ::testing::Test {
 protected:
  const SigningKeyRing::Snapshot& Keys() {
    auto current = ring_.Current();
    EXPECT_OK(current);
    snapshot_ = *current;
    return *snapshot_;
  }

  FakeSigningKeyStore store_;
  ManualClock clock_{1'000'000'000};
  SigningKeyRing ring_{store_, clock_, std::chrono::milliseconds(2000)};
  std::shared_ptr<const SigningKeyRing::Snapshot> snapshot_;
};

TEST_F(SigningKeyRingTest, NewestActiveSignsActiveAndRetiredVerify) {
  ASSERT_OK(store_.InsertSigningKey(Key("sk_old", 100)));
  ASSERT_OK(store_.InsertSigningKey(Key("sk_new", 200)));
  ASSERT_OK(store_.InsertSigningKey(Key("sk_gone", 300)));
  ASSERT_OK(store_.RevokeSigningKey("sk_gone", 400));
  EXPECT_EQ(Keys().Signer()->kid, "sk_new");
  EXPECT_NE(Keys().Verifier("sk_old"), nullptr);
  EXPECT_EQ(Keys().Verifier("sk_gone"), nullptr);
  EXPECT_EQ(Keys().Verifier("sk_unknown"), nullptr);

  ASSERT_OK(store_.RetireSigningKey("sk_new", 500));
  clock_.Advance(2'000'000);
  EXPECT_EQ(Keys().Signer()->kid, "sk_old");      // the newer one no longer signs
  EXPECT_NE(Keys().Verifier("sk_new"), nullptr);  // but still verifies
  ASSERT_OK(store_.RetireSigningKey("sk_old", 600));
  clock_.Advance(2'000'000);
  EXPECT_EQ(Keys().Signer(), nullptr);  // nothing active: nothing signs
  EXPECT_NE(Keys().Verifier("sk_old"), nullptr);
}

TEST_F(SigningKeyRingTest, ChangesAreSeenWithinTheRefreshInterval) {
  ASSERT_OK(store_.InsertSigningKey(Key("sk_a", 100)));
  EXPECT_NE(Keys().Verifier("sk_a"), nullptr);
  ASSERT_OK(store_.RevokeSigningKey("sk_a", 200));
  clock_.Advance(1'999'000);
  EXPECT_NE(Keys().Verifier("sk_a"), nullptr);  // cached
  EXPECT_EQ(store_.reads, 1);
  clock_.Advance(1'000);
  EXPECT_EQ(Keys().Verifier("sk_a"), nullptr);  // 2 s: read again
  EXPECT_EQ(store_.reads, 2);
}

TEST_F(SigningKeyRingTest, AnOutageKeepsTheLastKeysAndRetriesAfterTheInterval) {
  store_.fail = true;
  EXPECT_FALSE(ring_.Current().ok());  // nothing read yet: the error
  store_.fail = false;
  ASSERT_OK(store_.InsertSigningKey(Key("sk_a", 100)));
  clock_.Advance(2'000'000);
  EXPECT_NE(Keys().Signer(), nullptr);
  store_.fail = true;
  clock_.Advance(2'000'000);
  EXPECT_EQ(Keys().Signer()->kid, "sk_a");  // the last keys read
  const int reads = store_.reads;
  EXPECT_EQ(Keys().Signer()->kid, "sk_a");
  EXPECT_EQ(store_.reads, reads);  // not hammered: the next try waits the interval
}

}  // namespace
}  // namespace thrad
