// The fixture of the PostgresStore tests: a real PostgreSQL server at THRAD_TEST_DATABASE_URL
// (scripts/test starts one with scripts/start-postgres) and a database of its own per test.
// Without the variable every test is skipped.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/random.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_store.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {

// `url` with its database name replaced by `db` (postgresql://host:port/<db>?params).
inline std::string WithDatabase(const std::string& url, const std::string& db) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url + " dbname=" + db;  // key=value form
  const size_t slash = url.find('/', scheme + 3);
  const size_t query = url.find('?', scheme + 3);
  const std::string authority =
      url.substr(0, std::min(slash == std::string::npos ? url.size() : slash,
                             query == std::string::npos ? url.size() : query));
  return authority + "/" + db + (query == std::string::npos ? "" : url.substr(query));
}

// A migrated PostgresStore on a database of its own (dropped after the test), and a connection
// of the test's own to it (sql_).
class PgStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    const char* base = std::getenv("THRAD_TEST_DATABASE_URL");
    if (base == nullptr || *base == '\0') GTEST_SKIP() << "THRAD_TEST_DATABASE_URL is not set";
    base_url_ = base;
    auto admin = PgConn::Connect(base_url_);
    ASSERT_OK(admin) << admin.status().ToString();
    admin_ = std::move(admin).value();
    db_name_ = "thrad_unit_" + RandomHex(6);
    ASSERT_OK(admin_->ExecScript("CREATE DATABASE " + db_name_));
    url_ = WithDatabase(base_url_, db_name_);
    auto opened = PostgresStore::Open(url_);
    ASSERT_OK(opened) << opened.status().ToString();
    store_ = std::move(opened).value();
    ASSERT_OK(store_->Migrate());
    auto sql = PgConn::Connect(url_);
    ASSERT_OK(sql);
    sql_ = std::move(sql).value();
  }

  void TearDown() override {
    store_.reset();
    sql_.reset();
    if (admin_) (void)admin_->ExecScript("DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)");
  }

  Store& store() override { return *store_; }

  int64_t Count(const std::string& table) override {
    auto r = sql_->Exec("SELECT count(*) FROM " + table);
    EXPECT_OK(r);
    return r.ok() ? r->Int64(0, 0) : -1;
  }

  void FailInsertsOfEventsNamed(const std::string& event_name) override {
    ASSERT_OK(sql_->ExecScript(R"sql(
        CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.event_name = ')sql" +
                               event_name + R"sql(' THEN RAISE EXCEPTION 'boom'; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER poison BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION poison();)sql"));
  }

  void FailInsertsOfClicksTagged(const std::string& tag) override {
    ASSERT_OK(sql_->ExecScript(R"sql(
        CREATE FUNCTION poison_clicks() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.tag_id = ')sql" +
                               tag + R"sql(' THEN RAISE EXCEPTION 'boom'; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER poison_clicks BEFORE INSERT ON clicks FOR EACH ROW
          EXECUTE FUNCTION poison_clicks();)sql"));
  }

  // Migration 001: the schema before 002_clicks.sql.
  static constexpr size_t kMigrationsBeforeClickFields = 1;

  void RecreateBeforeClickFields() override {
    store_.reset();
    sql_.reset();
    ASSERT_OK(admin_->ExecScript("DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)"));
    db_name_ = "thrad_unit_" + RandomHex(6);
    ASSERT_OK(admin_->ExecScript("CREATE DATABASE " + db_name_));
    url_ = WithDatabase(base_url_, db_name_);
    auto sql = PgConn::Connect(url_);
    ASSERT_OK(sql);
    sql_ = std::move(sql).value();
    ASSERT_OK(MigratePostgres(
        *sql_, EmbeddedPostgresMigrations().subspan(0, kMigrationsBeforeClickFields), 1));
  }

  void RecreateBeforeRollups() override {
    RecreateBeforeClickFields();
    auto all = EmbeddedPostgresMigrations();
    size_t n = 0;
    while (n < all.size() && all[n].version < 6) ++n;  // 006_rollups.sql
    ASSERT_OK(MigratePostgres(*sql_, all.subspan(0, n), 1));
  }

  void Sql(const std::string& statements) override { ASSERT_OK(sql_->ExecScript(statements)); }

  void AddSpanOfRawEvents() override {}

  void ReopenStore() override {
    auto opened = PostgresStore::Open(url_);
    ASSERT_OK(opened) << opened.status().ToString();
    store_ = std::move(opened).value();
    ASSERT_OK(store_->Migrate());
  }

  // Client sessions on the test's database now. Only clients: an autovacuum worker visiting
  // the new database is listed with its datname too (what failed stop 32's CI: 3 where the
  // test's 2 were expected, 0.9 s into a test that waits up to 10 s for closed sessions).
  int64_t Backends() {
    auto r = sql_->Exec(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client "
        "backend'",
        {db_name_});
    return r.ok() ? r->Int64(0, 0) : -1;
  }

  // Every session on the test's database, for a failure's message.
  std::string Sessions() {
    auto r = sql_->Exec(
        "SELECT coalesce(string_agg(concat_ws(' ', pid, backend_type, application_name, state, "
        "left(query, 80)), '; '), '') FROM pg_stat_activity WHERE datname = $1",
        {db_name_});
    return r.ok() ? std::string(r->Text(0, 0)) : r.status().ToString();
  }

  // Deadlocks PostgreSQL broke on the test's database, once the sessions beyond `own_backends`
  // (stores the test closed) have ended and reported their statistics. A backend leaves
  // pg_stat_activity a while after its client hangs up, so this waits up to 10 s.
  int64_t DeadlocksOnceEnded(int64_t own_backends) {
    int64_t backends = Backends();
    for (int i = 0; i < 500 && backends != own_backends; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      backends = Backends();
    }
    EXPECT_EQ(backends, own_backends) << Sessions();
    (void)sql_->ExecScript("SELECT pg_stat_clear_snapshot()");
    auto r = sql_->Exec("SELECT deadlocks FROM pg_stat_database WHERE datname = $1", {db_name_});
    return r.ok() ? r->Int64(0, 0) : -1;
  }

  std::string base_url_, url_, db_name_;
  std::unique_ptr<PgConn> admin_;
  std::unique_ptr<PgConn> sql_;
  std::unique_ptr<PostgresStore> store_;
};

}  // namespace thrad::test
