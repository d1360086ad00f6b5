// SqliteStore: API keys written by another process (the CLI's store on the same file).
#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_test_fixture.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

using SqliteKeysTest = SqliteStoreTest;

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
