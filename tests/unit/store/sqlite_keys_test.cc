// SqliteStore: API keys and clicks.
#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

KeyRecord Key(std::string id, std::string partner, UnixMicros created_at) {
  KeyRecord k;
  k.id = id;
  k.digest = "digest_" + id;
  k.partner_id = std::move(partner);
  k.label = "label " + id;
  k.scopes = static_cast<uint32_t>(Scope::kCollect) | static_cast<uint32_t>(Scope::kConversion);
  k.created_at = created_at;
  return k;
}

using SqliteKeysTest = SqliteStoreTest;

TEST_F(SqliteKeysTest, InsertAndFindByDigest) {
  KeyRecord k = Key("key_a", "p1", 100);
  k.expires_at = 900;
  ASSERT_OK(store_->InsertKey(k));

  auto found = store_->FindKeyByDigest("digest_key_a");
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  const KeyRecord& f = **found;
  EXPECT_EQ(f.id, "key_a");
  EXPECT_EQ(f.partner_id, "p1");
  EXPECT_EQ(f.label, "label key_a");
  EXPECT_EQ(f.scopes, 3u);
  EXPECT_EQ(f.created_at, 100);
  EXPECT_EQ(f.expires_at, 900);
  EXPECT_FALSE(f.revoked_at.has_value());
  EXPECT_FALSE(f.last_used_at.has_value());

  auto missing = store_->FindKeyByDigest("nope");
  ASSERT_OK(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_F(SqliteKeysTest, DuplicateIdOrDigestIsAlreadyExists) {
  ASSERT_OK(store_->InsertKey(Key("key_a", "p1", 1)));
  EXPECT_EQ(store_->InsertKey(Key("key_a", "p2", 2)).code(), StatusCode::kAlreadyExists);
  KeyRecord same_digest = Key("key_b", "p1", 3);
  same_digest.digest = "digest_key_a";
  EXPECT_EQ(store_->InsertKey(same_digest).code(), StatusCode::kAlreadyExists);
}

TEST_F(SqliteKeysTest, ListFiltersByPartnerOrderedByCreation) {
  ASSERT_OK(store_->InsertKey(Key("key_c", "p1", 30)));
  ASSERT_OK(store_->InsertKey(Key("key_a", "p2", 10)));
  ASSERT_OK(store_->InsertKey(Key("key_b", "p1", 20)));

  auto all = store_->ListKeys(std::nullopt);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "key_a");
  EXPECT_EQ((*all)[1].id, "key_b");
  EXPECT_EQ((*all)[2].id, "key_c");

  auto p1 = store_->ListKeys("p1");
  ASSERT_OK(p1);
  ASSERT_EQ(p1->size(), 2u);
  EXPECT_EQ((*p1)[0].id, "key_b");
  EXPECT_EQ((*p1)[1].id, "key_c");

  auto none = store_->ListKeys("p9");
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(SqliteKeysTest, RevokeKeepsTheFirstTime) {
  ASSERT_OK(store_->InsertKey(Key("key_a", "p1", 1)));
  ASSERT_OK(store_->RevokeKey("key_a", 500));
  ASSERT_OK(store_->RevokeKey("key_a", 900));
  auto found = store_->FindKeyByDigest("digest_key_a");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->revoked_at, 500);
  EXPECT_FALSE((*found)->ActiveAt(1000));

  EXPECT_EQ(store_->RevokeKey("key_zz", 1).code(), StatusCode::kNotFound);
}

TEST_F(SqliteKeysTest, TouchNeverMovesBackwards) {
  ASSERT_OK(store_->InsertKey(Key("key_a", "p1", 1)));
  ASSERT_OK(store_->InsertKey(Key("key_b", "p1", 2)));
  ASSERT_OK(store_->TouchKeys({{"key_a", 100}, {"key_b", 200}, {"key_unknown", 5}}));
  ASSERT_OK(store_->TouchKeys({{"key_a", 50}, {"key_b", 300}}));
  ASSERT_OK(store_->TouchKeys({}));

  auto keys = store_->ListKeys(std::nullopt);
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].last_used_at, 100);
  EXPECT_EQ((*keys)[1].last_used_at, 300);
}

TEST_F(SqliteKeysTest, ClicksAreUniquePerPartner) {
  ASSERT_OK(store_->InsertClick(Click("p1", "clk_1")));
  EXPECT_EQ(store_->InsertClick(Click("p1", "clk_1", "other")).code(), StatusCode::kAlreadyExists);
  EXPECT_OK(store_->InsertClick(Click("p2", "clk_1")));
  EXPECT_OK(store_->InsertClick(Click("p1", "clk_2", std::nullopt, std::nullopt)));
  EXPECT_EQ(Count("clicks"), 3);
}

TEST_F(SqliteKeysTest, WritesFromAnotherProcessAreSeen) {
  // A CLI process (its own store on the same file) creates a key the server then finds.
  auto cli = SqliteStore::Open(DbPath());
  ASSERT_OK(cli);
  ASSERT_OK((*cli)->Migrate());
  ASSERT_OK(store_->FindKeyByDigest("digest_key_a"));  // warm the read connection
  ASSERT_OK((*cli)->InsertKey(Key("key_a", "p1", 1)));
  auto found = store_->FindKeyByDigest("digest_key_a");
  ASSERT_OK(found);
  EXPECT_TRUE(found->has_value());
  ASSERT_OK((*cli)->RevokeKey("key_a", 7));
  found = store_->FindKeyByDigest("digest_key_a");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->revoked_at, 7);
}

}  // namespace
}  // namespace thrad::test
