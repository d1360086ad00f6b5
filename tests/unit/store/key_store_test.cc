// Conformance (store_conformance.h): KeyStore: insert, look-ups by digest and by id, list,
// revoke, last use and rate-limit overrides.
#include <gtest/gtest.h>

#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

// Every field of `found` equals `want`'s.
void ExpectSameKey(const KeyRecord& found, const KeyRecord& want) {
  EXPECT_EQ(found.id, want.id);
  EXPECT_EQ(found.digest, want.digest);
  EXPECT_EQ(found.partner_id, want.partner_id);
  EXPECT_EQ(found.label, want.label);
  EXPECT_EQ(found.scopes, want.scopes);
  EXPECT_EQ(found.created_at, want.created_at);
  EXPECT_EQ(found.expires_at, want.expires_at);
  EXPECT_EQ(found.revoked_at, want.revoked_at);
  EXPECT_EQ(found.last_used_at, want.last_used_at);
  EXPECT_EQ(found.rate_limit_rps, want.rate_limit_rps);
  EXPECT_EQ(found.rate_limit_burst, want.rate_limit_burst);
}

template <typename Backend>
class KeyStoreTest : public Backend {
 protected:
  KeyStore& keys() { return this->store(); }

  // The key with `digest`, which must exist.
  KeyRecord ByDigest(std::string_view digest) {
    auto found = keys().FindKeyByDigest(digest);
    EXPECT_OK(found);
    EXPECT_TRUE(found.ok() && found->has_value()) << digest;
    return found.ok() && found->has_value() ? **found : KeyRecord{};
  }
};
TYPED_TEST_SUITE(KeyStoreTest, StoreBackends, StoreBackendNames);

TYPED_TEST(KeyStoreTest, InsertAndFindByDigest) {
  KeyRecord k = Key("key_a", "p1", 100);
  k.expires_at = 900;
  ASSERT_OK(this->keys().InsertKey(k));

  const KeyRecord f = this->ByDigest("digest_key_a");
  EXPECT_EQ(f.id, "key_a");
  EXPECT_EQ(f.partner_id, "p1");
  EXPECT_EQ(f.label, "label key_a");
  EXPECT_EQ(f.scopes, 3u);
  EXPECT_EQ(f.created_at, 100);
  EXPECT_EQ(f.expires_at, 900);
  EXPECT_FALSE(f.revoked_at.has_value());
  EXPECT_FALSE(f.last_used_at.has_value());
  EXPECT_FALSE(f.rate_limit_rps.has_value());
  EXPECT_FALSE(f.rate_limit_burst.has_value());
  ExpectSameKey(f, k);

  auto missing = this->keys().FindKeyByDigest("nope");
  ASSERT_OK(missing);
  EXPECT_FALSE(missing->has_value());
}

TYPED_TEST(KeyStoreTest, FindKeyByIdReadsOneKeyWithEveryField) {
  KeyRecord a = Key("key_a", "p1", 100);
  a.expires_at = 900;
  a.rate_limit_rps = 2.5;
  a.rate_limit_burst = 10;
  ASSERT_OK(this->keys().InsertKey(a));
  ASSERT_OK(this->keys().InsertKey(Key("key_b", "p2", 50)));

  auto found = this->keys().FindKeyById("key_a");
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  ExpectSameKey(**found, a);

  // What the key's later life changes is read back too.
  ASSERT_OK(this->keys().RevokeKey("key_a", 500));
  ASSERT_OK(this->keys().TouchKeys({{"key_a", 700}}));
  ASSERT_OK(this->keys().UpdateKeyLimits("key_a", std::nullopt, 3));
  found = this->keys().FindKeyById("key_a");
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  a.revoked_at = 500;
  a.last_used_at = 700;
  a.rate_limit_rps.reset();
  a.rate_limit_burst = 3;
  ExpectSameKey(**found, a);

  auto b = this->keys().FindKeyById("key_b");
  ASSERT_OK(b);
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*b)->partner_id, "p2");

  // By id only: neither a digest nor an unknown id finds a key.
  for (std::string_view absent : {"digest_key_a", "key_zz", "", "KEY_A"}) {
    auto none = this->keys().FindKeyById(absent);
    ASSERT_OK(none);
    EXPECT_FALSE(none->has_value()) << absent;
  }
}

TYPED_TEST(KeyStoreTest, DuplicateIdOrDigestIsAlreadyExists) {
  ASSERT_OK(this->keys().InsertKey(Key("key_a", "p1", 1)));
  EXPECT_EQ(this->keys().InsertKey(Key("key_a", "p2", 2)).code(), StatusCode::kAlreadyExists);
  KeyRecord same_digest = Key("key_b", "p1", 3);
  same_digest.digest = "digest_key_a";
  EXPECT_EQ(this->keys().InsertKey(same_digest).code(), StatusCode::kAlreadyExists);
}

TYPED_TEST(KeyStoreTest, ListFiltersByPartnerOrderedByCreation) {
  ASSERT_OK(this->keys().InsertKey(Key("key_c", "p1", 30)));
  ASSERT_OK(this->keys().InsertKey(Key("key_a", "p2", 10)));
  ASSERT_OK(this->keys().InsertKey(Key("key_b", "p1", 20)));

  auto all = this->keys().ListKeys(std::nullopt);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "key_a");
  EXPECT_EQ((*all)[1].id, "key_b");
  EXPECT_EQ((*all)[2].id, "key_c");

  auto p1 = this->keys().ListKeys("p1");
  ASSERT_OK(p1);
  ASSERT_EQ(p1->size(), 2u);
  EXPECT_EQ((*p1)[0].id, "key_b");
  EXPECT_EQ((*p1)[1].id, "key_c");

  auto none = this->keys().ListKeys("p9");
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TYPED_TEST(KeyStoreTest, RevokeKeepsTheFirstTime) {
  ASSERT_OK(this->keys().InsertKey(Key("key_a", "p1", 1)));
  ASSERT_OK(this->keys().RevokeKey("key_a", 500));
  ASSERT_OK(this->keys().RevokeKey("key_a", 900));
  const KeyRecord found = this->ByDigest("digest_key_a");
  EXPECT_EQ(found.revoked_at, 500);
  EXPECT_FALSE(found.ActiveAt(1000));

  EXPECT_EQ(this->keys().RevokeKey("key_zz", 1).code(), StatusCode::kNotFound);
}

TYPED_TEST(KeyStoreTest, TouchNeverMovesBackwards) {
  ASSERT_OK(this->keys().InsertKey(Key("key_a", "p1", 1)));
  ASSERT_OK(this->keys().InsertKey(Key("key_b", "p1", 2)));
  ASSERT_OK(this->keys().TouchKeys({{"key_a", 100}, {"key_b", 200}, {"key_unknown", 5}}));
  ASSERT_OK(this->keys().TouchKeys({{"key_a", 50}, {"key_b", 300}}));
  ASSERT_OK(this->keys().TouchKeys({}));

  auto keys = this->keys().ListKeys(std::nullopt);
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].last_used_at, 100);
  EXPECT_EQ((*keys)[1].last_used_at, 300);
}

TYPED_TEST(KeyStoreTest, RateLimitsRoundTrip) {
  KeyRecord k = Key("key_a", "p1", 1);
  k.rate_limit_rps = 2.5;
  k.rate_limit_burst = 10;
  ASSERT_OK(this->keys().InsertKey(k));
  ASSERT_OK(this->keys().InsertKey(Key("key_b", "p1", 2)));

  const KeyRecord found = this->ByDigest("digest_key_a");
  EXPECT_EQ(found.rate_limit_rps, 2.5);
  EXPECT_EQ(found.rate_limit_burst, 10);

  auto listed = this->keys().ListKeys(std::nullopt);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_FALSE((*listed)[1].rate_limit_rps.has_value());
  EXPECT_FALSE((*listed)[1].rate_limit_burst.has_value());
}

TYPED_TEST(KeyStoreTest, UpdateKeyLimitsSetsAndClears) {
  ASSERT_OK(this->keys().InsertKey(Key("key_a", "p1", 1)));
  ASSERT_OK(this->keys().UpdateKeyLimits("key_a", 0.5, 3));
  KeyRecord found = this->ByDigest("digest_key_a");
  EXPECT_EQ(found.rate_limit_rps, 0.5);
  EXPECT_EQ(found.rate_limit_burst, 3);

  ASSERT_OK(this->keys().UpdateKeyLimits("key_a", 2.5, 7));
  found = this->ByDigest("digest_key_a");
  EXPECT_EQ(found.rate_limit_rps, 2.5);
  EXPECT_EQ(found.rate_limit_burst, 7);

  ASSERT_OK(this->keys().UpdateKeyLimits("key_a", std::nullopt, std::nullopt));
  found = this->ByDigest("digest_key_a");
  EXPECT_FALSE(found.rate_limit_rps.has_value());
  EXPECT_FALSE(found.rate_limit_burst.has_value());

  EXPECT_EQ(this->keys().UpdateKeyLimits("key_zz", 1.0, 1).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace thrad::test
