// PostgresStore against a real PostgreSQL server: THRAD_TEST_DATABASE_URL (scripts/test starts
// one with scripts/start-postgres). Every test gets a database of its own. Without the
// variable every test is skipped.
#include "store/postgres/pg_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/random.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_test_fixture.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(PgStoreOpenTest, UnreachableDatabaseIsUnavailableAndBadUrlInvalid) {
  auto down = PostgresStore::Open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  auto bad = PostgresStore::Open("postgresql://host:notaport:/x?nonsense_option=1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PgStoreTest, MigrateIsIdempotentAndSafeConcurrently) {
  ASSERT_OK(store_->Migrate());
  // A fresh database migrated by several processes' worth of stores at once.
  const std::string other = "thrad_unit_" + RandomHex(6);
  ASSERT_OK(admin_->ExecScript("CREATE DATABASE " + other));
  std::vector<std::thread> threads;
  std::vector<Status> results(6);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      auto s = PostgresStore::Open(WithDatabase(base_url_, other));
      results[i] = s.ok() ? (*s)->Migrate() : s.status();
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& st : results) EXPECT_OK(st) << st.ToString();
  (void)admin_->ExecScript("DROP DATABASE IF EXISTS " + other + " WITH (FORCE)");
  EXPECT_EQ(Count("schema_migrations"), static_cast<int64_t>(EmbeddedPostgresMigrations().size()));
}

TEST_F(PgStoreTest, TextWithNulIsStoredExactlyAndDeduplicated) {
  EventRecord nul = Event("p1", std::string("site:\0", 6), std::string("e\0", 2));
  nul.event_name = std::string("a\0b", 3);
  WriteOp first = EventOp({nul, Event("p1", "site:a", "e1")});
  Commit({&first});
  EXPECT_THAT(Outcomes(first), ElementsAre(WriteOutcome::kStored, WriteOutcome::kStored));
  WriteOp again = EventOp({nul});
  Commit({&again});
  EXPECT_THAT(Outcomes(again), ElementsAre(WriteOutcome::kDuplicate));
  auto rows = ExportEvents();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0], HasSubstr(R"("event_name":"a\u0000b")"));
  EXPECT_THAT(rows[0], HasSubstr(R"("event_id":"e\u0000")"));
}

// A backlog of pending rollup counters (a folder that could not run for a while) is moved in
// batches of 50,000 rows per kind: a fold that filled its batch says more may remain, the next
// one moves the rest, and the folded counters add up to every pending one.
TEST_F(PgStoreTest, FoldingABacklogMovesItInBatchesAndSaysWhenMoreRemains) {
  ASSERT_OK(sql_->ExecScript(
      "INSERT INTO rollup_events_pending (partner_id, bucket, tag_id, event_name, events) "
      "SELECT 'p1', 1000 + n % 7, 'site:a', 'e' || (n % 3), 2 FROM generate_series(1, 50003) n"));
  Result<ReportStore::RollupFold> first = store_->FoldPendingRollups();
  ASSERT_OK(first.status());
  EXPECT_EQ(first->moved, 50000u);
  EXPECT_TRUE(first->more);
  Result<ReportStore::RollupFold> second = store_->FoldPendingRollups();
  ASSERT_OK(second.status());
  EXPECT_EQ(second->moved, 3u);
  EXPECT_FALSE(second->more);
  EXPECT_EQ(Count("rollup_events_pending"), 0);
  EXPECT_EQ(Count("rollup_events"), 21);  // 7 buckets x 3 names
  auto sum = sql_->Exec("SELECT sum(events)::text FROM rollup_events");
  ASSERT_OK(sum.status());
  EXPECT_EQ(sum->Str(0, 0), "100006");
}

TEST_F(PgStoreTest, RacingStoresOnOneDatabaseStoreOnce) {
  ASSERT_OK(store_->InsertClick(Click("p1", "clk_1")));
  // Four stores (as four servers would) commit the same identity at once.
  std::vector<std::unique_ptr<PostgresStore>> stores;
  for (int i = 0; i < 4; ++i) {
    auto s = PostgresStore::Open(url_);
    ASSERT_OK(s);
    stores.push_back(std::move(s).value());
  }
  std::vector<WriteOutcome> outcomes(stores.size() * 5);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < stores.size(); ++i) {
    threads.emplace_back([&, i] {
      for (size_t j = 0; j < 5; ++j) {
        WriteOp op = ConversionOp(Conversion("p1", "clk_1", "race"));
        WriteOp* ops[] = {&op};
        EXPECT_OK(stores[i]->CommitBatch(ops));
        outcomes[i * 5 + j] = Conv(op).outcome;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), WriteOutcome::kStored), 1);
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), WriteOutcome::kDuplicate),
            static_cast<long>(outcomes.size()) - 1);
  EXPECT_EQ(Count("conversions"), 1);
}

// Four stores (four servers) commit the same batches at once, each with its events, clicks and
// conversions in another order. Every writer inserts events, then clicks, then conversions,
// each sorted by unique key (pg_identity.h), so none waits for another in a cycle: no deadlock,
// and each identity is stored once, the other stores' copies answered as duplicates with the
// stored click's values.
TEST_F(PgStoreTest, RacingBatchesOfClicksEventsAndConversionsNeverDeadlock) {
  constexpr int kStores = 4, kRounds = 30, kPerBatch = 6;
  const int64_t own_backends = Backends();
  std::vector<std::unique_ptr<PostgresStore>> stores;
  for (int i = 0; i < kStores; ++i) {
    auto s = PostgresStore::Open(url_);
    ASSERT_OK(s);
    stores.push_back(std::move(s).value());
  }
  std::vector<int> stored(kRounds * kPerBatch, 0);
  std::vector<int> duplicate(kRounds * kPerBatch, 0);
  std::vector<int> conversions_stored(kRounds * kPerBatch, 0);
  std::mutex mu;
  std::barrier round_start(kStores);  // every round's batches race each other
  std::vector<std::thread> threads;
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < kRounds; ++round) {
        std::vector<int> ids(kPerBatch);
        for (int k = 0; k < kPerBatch; ++k) {
          ids[k] = round * kPerBatch + (i % 2 == 0 ? k : kPerBatch - 1 - k);  // two orders
        }
        std::vector<ClickRecord> clicks;
        std::vector<EventRecord> events;
        std::vector<WriteOp> convs;
        for (int id : ids) {
          clicks.push_back(Click("p1", "clk_" + std::to_string(id), "bid_" + std::to_string(i)));
          events.push_back(
              Event("p1", "site:a",
                    "e" + std::to_string(id) + "-" + std::to_string(i)));  // stored by every store
          convs.push_back(ConversionOp(Conversion("p1", "clk_" + std::to_string(id), "k")));
        }
        WriteOp click_op = ClickOp(clicks);
        WriteOp event_op = EventOp(events);
        std::vector<WriteOp*> ops;
        for (WriteOp& c : convs) ops.push_back(&c);  // conversions first: the store reorders
        ops.insert(ops.begin() + (i % 2) * kPerBatch, &click_op);
        ops.push_back(&event_op);
        round_start.arrive_and_wait();
        Status st = stores[i]->CommitBatch(ops);
        EXPECT_OK(st) << st.ToString();  // no ASSERT: every thread must reach every barrier
        std::lock_guard lock(mu);
        for (int k = 0; k < kPerBatch; ++k) {
          EXPECT_OK(convs[k].status);
          const ClickWrite& w = Clicks(click_op);
          (w.outcomes[k] == WriteOutcome::kStored ? stored : duplicate)[ids[k]]++;
          if (w.outcomes[k] == WriteOutcome::kDuplicate) {
            EXPECT_NE(w.clicks[k].bid_id, "bid_" + std::to_string(i)) << "not the stored click";
          }
          if (Conv(convs[k]).outcome == WriteOutcome::kStored) conversions_stored[ids[k]]++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (size_t id = 0; id < stored.size(); ++id) {
    EXPECT_EQ(stored[id], 1) << id;
    EXPECT_EQ(duplicate[id], kStores - 1) << id;
    EXPECT_EQ(conversions_stored[id], 1) << id;
  }
  EXPECT_EQ(Count("clicks"), kRounds * kPerBatch);
  EXPECT_EQ(Count("events"), kStores * kRounds * kPerBatch);
  EXPECT_EQ(Count("conversions"), kRounds * kPerBatch);
  stores.clear();
  EXPECT_EQ(DeadlocksOnceEnded(own_backends), 0);
}

TEST_F(PgStoreTest, ExportMatchesTheSqliteStoreByteForByte) {
  TempDir dir;
  auto lite = SqliteStore::Open(dir.File("x.db"));
  ASSERT_OK(lite);
  ASSERT_OK((*lite)->Migrate());
  EventRecord e = Event("p1", "site:example.com", "e1");
  e.timestamp = 1771523999;
  e.page_url = "https://example.com/a?q=\"x\"\\";
  e.user_agent = "UA/1.0 ü 😀";
  e.view_time_ms = 1500;
  e.consent_json = R"({"gdpr":true})";
  e.params_json = R"({"integration":"partner_s2s","extra":{"a":[1,2],"s":"a\u0000b"}})";
  e.received_at = 1771524000123456;
  ConversionRecord c = Conversion("p1", "clk_1", "idem-1");
  c.value_micros = 999999999999999999;
  c.order_id = "o-1";
  ClickRecord full = FullClick("p1", "clk_2");
  full.user_agent = "UA/1.0 ü 😀 \"q\"";
  full.landing_url = "https://shop.example.com/l?q=a%20b&x=\\";
  full.created_at = 1771524000123456;
  ClickRecord nul = Click("p2", std::string("clk_\0", 5));
  nul.referrer = std::string("a\0b", 3);
  nul.created_at = 1771524000123456;
  for (Store* s : {static_cast<Store*>(lite->get()), static_cast<Store*>(store_.get())}) {
    ASSERT_OK(s->InsertClick(Click("p1", "clk_1")));
    WriteOp ev = EventOp({e, Event("p2", "site:x", std::nullopt)});
    WriteOp cv = ConversionOp(c);
    WriteOp cl = ClickOp({full, nul});
    WriteOp* ops[] = {&ev, &cv, &cl};
    ASSERT_OK(s->CommitBatch(ops));
  }
  using Method = Status (ExportStore::*)(const ExportFilter&,
                                         const std::function<Status(const std::string&)>&);
  auto lines = [](Store& s, Method method, ExportFilter f) {
    std::vector<std::string> rows;
    auto add = [&](const std::string& r) {
      rows.push_back(r);
      return Status::Ok();
    };
    ExportStore& exports = s;
    EXPECT_OK((exports.*method)(f, add));
    return rows;
  };
  for (Method method :
       {&ExportStore::ExportEvents, &ExportStore::ExportConversions, &ExportStore::ExportClicks}) {
    for (ExportFilter f : {ExportFilter{}, ExportFilter{1771524000123456, "p1"},
                           ExportFilter{std::nullopt, "p2"}, ExportFilter{1771524000123457, {}}}) {
      EXPECT_EQ(lines(*store_, method, f), lines(**lite, method, f));
    }
  }
  EXPECT_EQ(ExportEvents().size(), 2u);
  EXPECT_EQ(ExportClicks().size(), 3u);
  EXPECT_THAT(ExportClicks().at(2), HasSubstr(R"("click_id":"clk_\u0000")"));
  EXPECT_THAT(ExportConversions().at(0), HasSubstr(R"("click_time":"2026-02-19T17:43:20Z")"));
  EXPECT_THAT(ExportConversions().at(0), HasSubstr(R"("conversion_value":999999999999.999999)"));
}

TEST_F(PgStoreTest, BackupPointsToPostgresTools) {
  Status backup = store_->Backup("/tmp/x.db");
  EXPECT_EQ(backup.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(backup.message(), HasSubstr("pg_dump"));
}

TEST_F(PgStoreTest, ReconnectsAfterTheServerDropsItsConnections) {
  WriteOp first = EventOp({Event("p1", "site:a", "e1")});
  Commit({&first});
  ASSERT_OK(store_->FindKeyByDigest("x"));
  // What a database restart does to every session.
  auto killed = admin_->Exec(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE datname = $1 AND pid <> pg_backend_pid()",
      {db_name_});
  ASSERT_OK(killed) << killed.status().ToString();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  sql_.reset();
  sql_ = std::move(PgConn::Connect(url_)).value();
  WriteOp second = EventOp({Event("p1", "site:a", "e2")});
  Commit({&second});  // the dead connection is noticed and replaced before use
  EXPECT_OK(second.status);
  EXPECT_OK(store_->FindKeyByDigest("x"));
  EXPECT_OK(store_->CheckWritable());
  EXPECT_EQ(Count("events"), 2);
}

// ExecCached (the reports' statements): a text is prepared once per connection and then only
// executed with new parameters; at most kMaxCachedStatements texts stay prepared; an execution
// that fails (here: the table's columns changed under a prepared SELECT *) forgets its text, so
// the next call prepares it again and succeeds.
TEST_F(PgStoreTest, CachedStatementsArePreparedOncePerTextAndBounded) {
  auto prepared = [&] {
    auto n = sql_->Exec("SELECT count(*) FROM pg_prepared_statements");
    EXPECT_OK(n);
    return n.ok() ? n->Int64(0, 0) : -1;
  };
  auto add_one = [&](int64_t v) {
    auto r = sql_->ExecCached({"SELECT $1::int8 + 1", {std::to_string(v)}});
    EXPECT_OK(r);
    return r.ok() ? r->Int64(0, 0) : -1;
  };
  EXPECT_EQ(add_one(1), 2);
  EXPECT_EQ(add_one(41), 42);
  EXPECT_EQ(prepared(), 1);

  for (size_t k = 0; k <= PgConn::kMaxCachedStatements; ++k) {
    auto r = sql_->ExecCached({"SELECT $1::int8 + " + std::to_string(k), {"1"}});
    ASSERT_OK(r);
    EXPECT_EQ(r->Int64(0, 0), static_cast<int64_t>(k) + 1);
  }
  EXPECT_EQ(prepared(), static_cast<int64_t>(PgConn::kMaxCachedStatements));
  EXPECT_EQ(add_one(1), 2);  // deallocated as the oldest: prepared again, another one goes
  EXPECT_EQ(prepared(), static_cast<int64_t>(PgConn::kMaxCachedStatements));

  ASSERT_OK(sql_->ExecScript("CREATE TABLE cached_t (a int); INSERT INTO cached_t VALUES (7)"));
  auto before = sql_->ExecCached({"SELECT * FROM cached_t"});
  ASSERT_OK(before);
  EXPECT_EQ(before->Int64(0, 0), 7);
  ASSERT_OK(sql_->ExecScript("ALTER TABLE cached_t ADD COLUMN b int DEFAULT 8"));
  EXPECT_FALSE(sql_->ExecCached({"SELECT * FROM cached_t"}).ok());
  auto after = sql_->ExecCached({"SELECT * FROM cached_t"});
  ASSERT_OK(after) << after.status().ToString();
  // The failed statement was deallocated, not left beside its new preparation.
  EXPECT_EQ(prepared(), static_cast<int64_t>(PgConn::kMaxCachedStatements));
  EXPECT_EQ(after->Int64(0, 0), 7);
  EXPECT_EQ(after->Int64(0, 1), 8);
}

}  // namespace
}  // namespace thrad::test
