// SqliteStore: per-key rate limits (migration 2) and online backup.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_test_fixture.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

using SqliteMaintenanceTest = SqliteStoreTest;

TEST(SqliteMigration2Test, UpgradesAVersionOneDatabaseKeepingKeys) {
  TempDir dir;
  const std::string path = dir.File("old.db");
  {
    auto opened = SqliteStore::Open(path);
    ASSERT_OK(opened);
    auto db = SqliteDb::Open(path, false);
    ASSERT_OK(db);
    auto all = EmbeddedSqliteMigrations();
    ASSERT_GE(all.size(), 2u);
    ASSERT_OK(MigrateSqlite(**db, all.subspan(0, 1), 1));
    ASSERT_OK(
        (*db)->Exec("INSERT INTO api_keys(id, digest, partner_id, label, scopes, "
                    "created_at) VALUES('key_old', 'd_old', 'p', 'l', 3, 1)"));
  }
  auto store = SqliteStore::Open(path);
  ASSERT_OK(store);
  ASSERT_OK((*store)->Migrate());
  auto found = (*store)->FindKeyByDigest("d_old");
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status().ToString();
  EXPECT_FALSE((*found)->rate_limit_rps.has_value());
  ASSERT_OK((*store)->UpdateKeyLimits("key_old", 4.0, 8));
}

TEST_F(SqliteMaintenanceTest, BackupIsAPrivateConsistentCopy) {
  std::vector<WriteOp> ops;
  AddEventsAt("p", 50, 1000, ops);
  for (WriteOp& op : ops) Commit({&op});
  ASSERT_OK(store_->InsertKey(Key("key_a")));

  const std::string dest = dir_.File("backups/one.db");
  std::filesystem::create_directories(dir_.File("backups"));
  Status st = store_->Backup(dest);
  ASSERT_OK(st) << st.ToString();
  struct stat info {};
  ASSERT_EQ(::stat(dest.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  // No temporary files are left beside it.
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.File("backups"))) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u);

  auto copy = SqliteStore::Open(dest);
  ASSERT_OK(copy);
  auto db = SqliteDb::Open(dest, false);
  ASSERT_OK(db);
  auto q = (*db)->Prepare("SELECT count(*) FROM events");
  ASSERT_OK(q);
  ASSERT_TRUE(*q->Step());
  EXPECT_EQ(q->Int64(0), 50);
  auto key = (*copy)->FindKeyByDigest("digest_key_a");
  ASSERT_TRUE(key.ok() && key->has_value());

  EXPECT_EQ(store_->Backup(dest).code(), StatusCode::kAlreadyExists);
}

TEST_F(SqliteMaintenanceTest, BackupWhileTheWriterCommits) {
  std::atomic<bool> stop{false};
  std::atomic<int> committed{0};
  std::thread writer([&] {
    for (int i = 0; i < 2000 && !stop.load(); ++i) {
      WriteOp op = EventOp({Event("p", "t", "w" + std::to_string(i))});
      std::vector<WriteOp*> batch{&op};
      if (store_->CommitBatch(batch).ok()) committed.fetch_add(1);
    }
  });
  while (committed.load() < 20) std::this_thread::yield();
  const std::string dest = dir_.File("live.db");
  Status st = store_->Backup(dest);
  stop.store(true);
  writer.join();
  ASSERT_OK(st) << st.ToString();
  auto db = SqliteDb::Open(dest, false);
  ASSERT_OK(db);
  auto q = (*db)->Prepare("SELECT count(*), max(id) FROM events");
  ASSERT_OK(q);
  ASSERT_TRUE(*q->Step());
  EXPECT_GE(q->Int64(0), 20);
  EXPECT_EQ(q->Int64(0), q->Int64(1));  // a snapshot: no gaps, nothing half-copied
}

}  // namespace
}  // namespace thrad::test
