// Conformance (store_conformance.h): SigningKeyStore: secrets stored as bytes, listed oldest
// first with their state, retired and revoked once.
#include <gtest/gtest.h>

#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

SigningKeyRecord SigningKey(std::string kid, UnixMicros created_at, char fill) {
  SigningKeyRecord k;
  k.kid = std::move(kid);
  k.secret = std::string(kSigningSecretBytes, fill);
  k.created_at = created_at;
  return k;
}

template <typename Backend>
class SigningKeyStoreTest : public Backend {};
TYPED_TEST_SUITE(SigningKeyStoreTest, StoreBackends, StoreBackendNames);

TYPED_TEST(SigningKeyStoreTest, InsertListsOldestFirstWithEveryByteOfTheSecret) {
  SigningKeyStore& keys = this->store();
  SigningKeyRecord raw = SigningKey("sk_b", 20, 0);
  for (size_t i = 0; i < raw.secret.size(); ++i) raw.secret[i] = static_cast<char>(i * 8);
  ASSERT_OK(keys.InsertSigningKey(raw));  // NUL, high bytes: bytes, not text
  ASSERT_OK(keys.InsertSigningKey(SigningKey("sk_c", 10, 'c')));
  ASSERT_OK(keys.InsertSigningKey(SigningKey("sk_a", 20, 'a')));
  EXPECT_EQ(keys.InsertSigningKey(SigningKey("sk_a", 30, 'x')).code(), StatusCode::kAlreadyExists);

  auto list = keys.ListSigningKeys();
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].kid, "sk_c");  // by created_at, then kid
  EXPECT_EQ((*list)[1].kid, "sk_a");
  EXPECT_EQ((*list)[2].kid, "sk_b");
  EXPECT_EQ((*list)[1].secret, std::string(kSigningSecretBytes, 'a'));
  EXPECT_EQ((*list)[2].secret, raw.secret);
  EXPECT_EQ((*list)[0].created_at, 10);
  for (const SigningKeyRecord& k : *list) {
    EXPECT_EQ(k.state(), SigningKeyState::kActive) << k.kid;
    EXPECT_EQ(k.retired_at, std::nullopt);
    EXPECT_EQ(k.revoked_at, std::nullopt);
  }
}

TYPED_TEST(SigningKeyStoreTest, RetireAndRevokeOnceEachAndUnknownKidsAreNotFound) {
  SigningKeyStore& keys = this->store();
  ASSERT_OK(keys.InsertSigningKey(SigningKey("sk_a", 1, 'a')));
  ASSERT_OK(keys.InsertSigningKey(SigningKey("sk_b", 2, 'b')));

  ASSERT_OK(keys.RetireSigningKey("sk_a", 100));
  ASSERT_OK(keys.RetireSigningKey("sk_a", 200));  // keeps the first time
  auto retired = keys.ListSigningKeys();
  ASSERT_OK(retired);
  EXPECT_EQ((*retired)[0].state(), SigningKeyState::kRetired);
  EXPECT_EQ((*retired)[1].state(), SigningKeyState::kActive);
  ASSERT_OK(keys.RevokeSigningKey("sk_b", 300));
  ASSERT_OK(keys.RevokeSigningKey("sk_b", 400));
  EXPECT_EQ(keys.RetireSigningKey("sk_b", 500).code(), StatusCode::kInvalidArgument);  // revoked
  ASSERT_OK(keys.RevokeSigningKey("sk_a", 600));  // a retired key can still be revoked

  EXPECT_EQ(keys.RetireSigningKey("sk_none", 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(keys.RevokeSigningKey("sk_none", 1).code(), StatusCode::kNotFound);

  auto list = keys.ListSigningKeys();
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].retired_at, 100);
  EXPECT_EQ((*list)[0].revoked_at, 600);
  EXPECT_EQ((*list)[0].state(), SigningKeyState::kRevoked);
  EXPECT_EQ((*list)[1].retired_at, std::nullopt);
  EXPECT_EQ((*list)[1].revoked_at, 300);
  EXPECT_EQ((*list)[1].state(), SigningKeyState::kRevoked);
}

TYPED_TEST(SigningKeyStoreTest, AnEmptyStoreHasNoKeys) {
  auto list = this->store().ListSigningKeys();
  ASSERT_OK(list);
  EXPECT_TRUE(list->empty());
}

}  // namespace
}  // namespace thrad::test
