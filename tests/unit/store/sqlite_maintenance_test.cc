// SqliteStore: per-key rate limits (migration 2), retention deletes and online backup.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

KeyRecord Key(std::string id) {
  KeyRecord k;
  k.id = id;
  k.digest = "digest_" + id;
  k.partner_id = "p1";
  k.label = "label";
  k.scopes = 3;
  k.created_at = 1;
  return k;
}

using SqliteMaintenanceTest = SqliteStoreTest;

TEST_F(SqliteMaintenanceTest, KeyRateLimitsRoundTrip) {
  KeyRecord k = Key("key_a");
  k.rate_limit_rps = 2.5;
  k.rate_limit_burst = 10;
  ASSERT_OK(store_->InsertKey(k));
  ASSERT_OK(store_->InsertKey(Key("key_b")));

  auto found = store_->FindKeyByDigest("digest_key_a");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->rate_limit_rps, 2.5);
  EXPECT_EQ((*found)->rate_limit_burst, 10);

  auto listed = store_->ListKeys(std::nullopt);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_FALSE((*listed)[1].rate_limit_rps.has_value());
  EXPECT_FALSE((*listed)[1].rate_limit_burst.has_value());
}

TEST_F(SqliteMaintenanceTest, UpdateKeyLimitsSetsAndClears) {
  ASSERT_OK(store_->InsertKey(Key("key_a")));
  ASSERT_OK(store_->UpdateKeyLimits("key_a", 0.5, 3));
  auto found = store_->FindKeyByDigest("digest_key_a");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->rate_limit_rps, 0.5);
  EXPECT_EQ((*found)->rate_limit_burst, 3);

  ASSERT_OK(store_->UpdateKeyLimits("key_a", std::nullopt, std::nullopt));
  found = store_->FindKeyByDigest("digest_key_a");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_FALSE((*found)->rate_limit_rps.has_value());
  EXPECT_FALSE((*found)->rate_limit_burst.has_value());

  EXPECT_EQ(store_->UpdateKeyLimits("key_zz", 1.0, 1).code(), StatusCode::kNotFound);
}

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

// An op with `n` events of `partner` received at `at`, kept alive in `keep`.
void AddEventsAt(const std::string& partner, int n, UnixMicros at, std::vector<WriteOp>& keep) {
  std::vector<EventRecord> events;
  for (int i = 0; i < n; ++i) {
    EventRecord e =
        Event(partner, "tag", partner + "-" + std::to_string(at) + "-" + std::to_string(i));
    e.received_at = at;
    events.push_back(std::move(e));
  }
  keep.push_back(EventOp(std::move(events)));
}

TEST_F(SqliteMaintenanceTest, DeleteOlderThanWorksInBoundedBatches) {
  std::vector<WriteOp> ops;
  AddEventsAt("p", 25, 1000, ops);
  AddEventsAt("p", 5, 5000, ops);
  for (WriteOp& op : ops) Commit({&op});
  ConversionRecord old = Conversion("p", "clk", "k1");
  old.received_at = 1000;
  ClickRecord click{"clk", "p", "bid", std::nullopt, 1};
  ASSERT_OK(store_->InsertClick(click));
  WriteOp conv = ConversionOp(old);
  Commit({&conv});

  std::vector<uint64_t> batches;
  for (;;) {
    auto n = store_->DeleteOlderThan(Store::Table::kEvents, 2000, 10);
    ASSERT_OK(n) << n.status().ToString();
    batches.push_back(*n);
    if (*n < 10) break;
  }
  EXPECT_EQ(batches, (std::vector<uint64_t>{10, 10, 5}));
  EXPECT_EQ(Count("events"), 5);
  auto c = store_->DeleteOlderThan(Store::Table::kConversions, 2000, 10);
  ASSERT_OK(c);
  EXPECT_EQ(*c, 1u);
  EXPECT_EQ(Count("conversions"), 0);
  EXPECT_EQ(Count("clicks"), 1);  // clicks are not pruned
  EXPECT_EQ(store_->DeleteOlderThan(Store::Table::kEvents, 2000, 0).status().code(),
            StatusCode::kInvalidArgument);
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
