#include "store/sqlite/sqlite_migrations.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_test_fixture.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

std::unique_ptr<SqliteDb> OpenDb(const std::string& path) {
  auto db = SqliteDb::Open(path, /*create=*/true);
  EXPECT_OK(db) << db.status().ToString();
  EXPECT_OK((*db)->Exec("PRAGMA busy_timeout = 5000"));
  return std::move(db).value();
}

bool TableExists(SqliteDb& db, const std::string& name) {
  return Scalar(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '" + name +
                        "'") == 1;
}

// Versions ascend from 1; a gap is allowed (a version left to another branch: 007 is the tags
// branch's, 008 the rollups').
TEST(SqliteMigrationsTest, EmbeddedMigrationsAreVersionedFromOne) {
  auto migrations = EmbeddedSqliteMigrations();
  ASSERT_FALSE(migrations.empty());
  // Ascending from 1. A gap would be allowed (each version is applied by itself whatever the
  // others), but a branch renumbers its migrations after main's when it merges.
  EXPECT_EQ(migrations[0].version, 1);
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(migrations[i].version, migrations[i - 1].version) << migrations[i].name;
    }
    EXPECT_FALSE(migrations[i].sql.empty());
  }
  EXPECT_EQ(migrations[0].name, "001_init.sql");
  EXPECT_NE(migrations[0].sql.find("CREATE TABLE events"), std::string_view::npos);
}

TEST(SqliteMigrationsTest, MigrateIsIdempotent) {
  TempDir dir;
  auto db = OpenDb(dir.File("m.db"));
  ASSERT_OK(MigrateSqlite(*db, EmbeddedSqliteMigrations(), 111));
  ASSERT_OK(MigrateSqlite(*db, EmbeddedSqliteMigrations(), 222));
  const auto n = static_cast<int64_t>(EmbeddedSqliteMigrations().size());
  EXPECT_EQ(Scalar(*db, "SELECT count(*) FROM schema_migrations"), n);
  EXPECT_EQ(Scalar(*db, "SELECT max(version) FROM schema_migrations"),
            EmbeddedSqliteMigrations().back().version);
  EXPECT_EQ(Scalar(*db, "SELECT max(applied_at) FROM schema_migrations"), 111);
  for (const char* table : {"api_keys", "clicks", "events", "conversions", "health"}) {
    EXPECT_TRUE(TableExists(*db, table)) << table;
  }
}

TEST(SqliteMigrationsTest, AppliesOnlyMissingVersionsAndFailuresLeaveNothing) {
  TempDir dir;
  auto db = OpenDb(dir.File("m.db"));
  const SqlMigration v1{1, "001_a.sql", "CREATE TABLE a (x INTEGER);"};
  const SqlMigration bad_v2{2, "002_b.sql", "CREATE TABLE b (x INTEGER); SELECT * FROM nope;"};
  const SqlMigration good_v2{2, "002_b.sql", "CREATE TABLE b (x INTEGER);"};

  ASSERT_OK(MigrateSqlite(*db, std::vector<SqlMigration>{v1}, 1));
  Status st = MigrateSqlite(*db, std::vector<SqlMigration>{v1, bad_v2}, 2);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("002_b.sql"), std::string::npos) << st.ToString();
  EXPECT_FALSE(TableExists(*db, "b"));  // the failed migration's first statement rolled back
  EXPECT_EQ(Scalar(*db, "SELECT max(version) FROM schema_migrations"), 1);

  ASSERT_OK(MigrateSqlite(*db, std::vector<SqlMigration>{v1, good_v2}, 3));
  EXPECT_TRUE(TableExists(*db, "b"));
  EXPECT_EQ(Scalar(*db, "SELECT max(version) FROM schema_migrations"), 2);
  EXPECT_EQ(Scalar(*db, "SELECT applied_at FROM schema_migrations WHERE version = 2"), 3);
}

TEST(SqliteMigrationsTest, RejectsOutOfOrderList) {
  TempDir dir;
  auto db = OpenDb(dir.File("m.db"));
  const SqlMigration v1{1, "001_a.sql", "CREATE TABLE a (x INTEGER);"};
  const SqlMigration v2{2, "002_b.sql", "CREATE TABLE b (x INTEGER);"};
  EXPECT_FALSE(MigrateSqlite(*db, std::vector<SqlMigration>{v2, v1}, 1).ok());
}

TEST(SqliteMigrationsTest, ConcurrentStoresMigrateOnce) {
  TempDir dir;
  const std::string path = dir.File("m.db");
  constexpr int kStores = 4;
  std::vector<std::unique_ptr<SqliteStore>> stores;
  for (int i = 0; i < kStores; ++i) {
    auto s = SqliteStore::Open(path);
    ASSERT_OK(s) << s.status().ToString();
    stores.push_back(std::move(s).value());
  }
  std::vector<Status> results(kStores);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back([&, i] { results[i] = stores[i]->Migrate(); });
  }
  for (auto& t : threads) t.join();
  for (const Status& st : results) EXPECT_OK(st) << st.ToString();

  auto db = OpenDb(path);
  EXPECT_EQ(Scalar(*db, "SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(EmbeddedSqliteMigrations().size()));
}

}  // namespace
}  // namespace thrad::test
