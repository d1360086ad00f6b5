// The fixture of the SqliteStore tests: a migrated store in a temp directory.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {

// The first column of the first row of `sql` (which must return one).
inline int64_t Scalar(SqliteDb& db, const std::string& sql) {
  auto q = db.Prepare(sql);
  EXPECT_OK(q);
  auto row = q->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return q->Int64(0);
}

// A migrated SqliteStore in a temp dir.
class SqliteStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    auto opened = SqliteStore::Open(DbPath(), Options());
    ASSERT_OK(opened);
    store_ = std::move(opened).value();
    ASSERT_OK(store_->Migrate());
  }
  virtual SqliteStoreOptions Options() const { return {}; }
  std::string DbPath() const { return dir_.File(db_file_); }

  Store& store() override { return *store_; }

  // Counted on a connection of its own.
  int64_t Count(const std::string& table) override {
    auto db = SqliteDb::Open(DbPath(), false);
    EXPECT_OK(db);
    return db.ok() ? Scalar(**db, "SELECT count(*) FROM " + table) : -1;
  }

  void FailInsertsOfEventsNamed(const std::string& event_name) override {
    auto db = SqliteDb::Open(DbPath(), false);
    ASSERT_OK(db);
    ASSERT_OK((*db)->Exec("CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.event_name = '" +
                          event_name + "' BEGIN SELECT RAISE(ABORT, 'boom'); END"));
  }

  void FailInsertsOfClicksTagged(const std::string& tag) override {
    Sql("CREATE TRIGGER poison_clicks BEFORE INSERT ON clicks WHEN NEW.tag_id = '" + tag +
        "' BEGIN SELECT RAISE(ABORT, 'boom'); END");
  }

  // Migrations 001-003: the schema before 004_clicks.sql (and 006_clicks_rowid.sql).
  static constexpr size_t kMigrationsBeforeClickFields = 3;

  void RecreateBeforeClickFields() override {
    store_.reset();
    db_file_ = "db/before_clicks.db";
    auto db = SqliteDb::Open(DbPath(), /*create=*/true);
    ASSERT_OK(db);
    ASSERT_OK(MigrateSqlite(
        **db, EmbeddedSqliteMigrations().subspan(0, kMigrationsBeforeClickFields), 1));
  }

  void Sql(const std::string& statements) override {
    auto db = SqliteDb::Open(DbPath(), false);
    ASSERT_OK(db);
    ASSERT_OK((*db)->Exec(statements));
  }

  void AddSpanOfRawEvents() override {
    Sql("INSERT INTO event_spans(first_id, last_id, min_received_at, max_received_at) "
        "SELECT min(id), max(id), min(received_at), max(received_at) FROM events");
  }

  void ReopenStore() override {
    auto opened = SqliteStore::Open(DbPath(), Options());
    ASSERT_OK(opened);
    store_ = std::move(opened).value();
    ASSERT_OK(store_->Migrate());
  }

  TempDir dir_;
  std::string db_file_ = "db/thrad.db";
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace thrad::test
