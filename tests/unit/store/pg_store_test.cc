// PostgresStore against a real PostgreSQL server: THRAD_TEST_DATABASE_URL (scripts/test starts
// one with scripts/start-postgres). Every test gets a database of its own. Without the
// variable every test is skipped.
#include "store/postgres/pg_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "common/random.h"
#include "pg_test_fixture.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(PgArrayTest, QuotesEscapesAndNulls) {
  PgArray a;
  a.Add(std::string_view("plain"));
  a.Add(std::string_view("q\"b\\s,{x} y"));
  a.AddNull();
  a.Add(std::optional<std::string>("NULL"));
  a.Add(int64_t{-42});
  EXPECT_EQ(std::move(a).Finish(), R"({"plain","q\"b\\s,{x} y",NULL,"NULL",-42})");
  EXPECT_EQ(PgArray().Finish(), "{}");
}

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

TEST_F(PgStoreTest, EventStoredThenDuplicate) {
  WriteOp first = EventOp({Event("p1", "site:a", "e1")});
  Commit({&first});
  EXPECT_OK(first.status);
  EXPECT_THAT(Outcomes(first), ElementsAre(WriteOutcome::kStored));
  WriteOp again = EventOp({Event("p1", "site:a", "e1")});
  Commit({&again});
  EXPECT_THAT(Outcomes(again), ElementsAre(WriteOutcome::kDuplicate));
  EXPECT_EQ(Count("events"), 1);
}

TEST_F(PgStoreTest, DuplicatesWithinOneBatchNullIdsAndScopes) {
  WriteOp a = EventOp({Event("p1", "site:a", "e1"), Event("p1", "site:a", "e1"),
                       Event("p1", "site:a", std::nullopt), Event("p1", "site:a", std::nullopt)});
  WriteOp b = EventOp(
      {Event("p1", "site:a", "e1"), Event("p1", "site:b", "e1"), Event("p2", "site:a", "e1")});
  Commit({&a, &b});
  EXPECT_THAT(Outcomes(a), ElementsAre(WriteOutcome::kStored, WriteOutcome::kDuplicate,
                                       WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_THAT(Outcomes(b),
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_EQ(Count("events"), 5);
}

TEST_F(PgStoreTest, EventDryRunWritesNothing) {
  WriteOp stored = EventOp({Event("p1", "site:a", "e1")});
  Commit({&stored});
  WriteOp dry =
      EventOp({Event("p1", "site:a", "e1"), Event("p1", "site:a", "e2"), Event("p1", "site:a", {})},
              /*dry_run=*/true);
  Commit({&dry});
  EXPECT_OK(dry.status);
  EXPECT_THAT(Outcomes(dry),
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_EQ(Count("events"), 1);
}

TEST(PgTextTest, NulAndMarkerRoundTripOneToOne) {
  const std::string marker(kPgEscapeMarker);
  for (std::string s : {std::string("plain"), std::string("a\0b", 3), std::string("\0", 1),
                        std::string("back\\slash\\0"), marker, marker + "x",
                        marker + std::string("\0\\", 2), std::string("")}) {
    const std::string stored = PgEncodeText(s);
    EXPECT_EQ(stored.find('\0'), std::string::npos) << s;
    EXPECT_EQ(PgDecodeText(stored), s);
    EXPECT_EQ(stored == s, !PgNeedsEscape(s));
  }
  EXPECT_NE(PgEncodeText(std::string("a\0b", 3)), PgEncodeText("a\\0b"));
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
  auto rows = Export(false);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0], HasSubstr(R"("event_name":"a\u0000b")"));
  EXPECT_THAT(rows[0], HasSubstr(R"("event_id":"e\u0000")"));
}

TEST_F(PgStoreTest, OneFailingOpFailsAloneAndIsRolledBack) {
  ASSERT_OK(sql_->ExecScript(R"sql(
      CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.event_name = 'poison' THEN RAISE EXCEPTION 'boom'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER poison BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION poison();)sql"));
  EventRecord poison = Event("p1", "site:a", "e3");
  poison.event_name = "poison";
  WriteOp ok1 = EventOp({Event("p1", "site:a", "e1")});
  WriteOp bad = EventOp({Event("p1", "site:a", "e2"), poison});
  WriteOp ok2 = EventOp({Event("p1", "site:a", "e4")});
  WriteOp conv = ConversionOp(Conversion("p1", "clk_missing", "k"));
  Commit({&ok1, &bad, &ok2, &conv});
  EXPECT_OK(ok1.status);
  EXPECT_OK(ok2.status);
  EXPECT_OK(conv.status);
  EXPECT_EQ(Conv(conv).outcome, WriteOutcome::kClickNotFound);
  EXPECT_EQ(bad.status.code(), StatusCode::kInternal);
  EXPECT_THAT(Outcomes(bad), ElementsAre(WriteOutcome::kPending, WriteOutcome::kPending));
  EXPECT_EQ(Count("events"), 2);
  EXPECT_EQ(Count("events WHERE event_id = 'e2'"), 0);
}

class PgConversionTest : public PgStoreTest {
 protected:
  void SetUp() override {
    PgStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_OK(store_->InsertClick(Click("p1", "clk_1")));
    ASSERT_OK(store_->InsertClick(Click("p1", "clk_nobid", std::nullopt)));
    ASSERT_OK(store_->InsertClick(Click("p2", "clk_2", "bid_2", std::nullopt)));
  }

  WriteOutcome Write(ConversionRecord c, bool dry_run = false) {
    WriteOp op = ConversionOp(std::move(c), dry_run);
    Commit({&op});
    EXPECT_OK(op.status) << op.status.ToString();
    return Conv(op).outcome;
  }
};

TEST_F(PgConversionTest, StoredCopiesBidAndCampaignFromTheClick) {
  WriteOp op = ConversionOp(Conversion("p1", "clk_1", "idem-1"));
  Commit({&op});
  EXPECT_EQ(Conv(op).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(op).conversion.bid_id, "bid_1");
  EXPECT_EQ(Conv(op).conversion.campaign_id, "cmp_1");
  EXPECT_EQ(Count("conversions WHERE bid_id = 'bid_1' AND campaign_id = 'cmp_1'"), 1);
}

TEST_F(PgConversionTest, DuplicateAndMismatch) {
  EXPECT_EQ(Write(Conversion("p1", "clk_1", "idem-1")), WriteOutcome::kStored);
  ConversionRecord again = Conversion("p1", "clk_1", "idem-1");
  again.received_at += 5;
  again.page_url = "https://x";  // not part of the payload
  EXPECT_EQ(Write(again), WriteOutcome::kDuplicate);
  ConversionRecord value = Conversion("p1", "clk_1", "idem-1");
  value.value_micros += 1;
  EXPECT_EQ(Write(value), WriteOutcome::kPayloadMismatch);
  ConversionRecord order = Conversion("p1", "clk_1", "idem-1");
  order.order_id = "o-9";
  EXPECT_EQ(Write(order), WriteOutcome::kPayloadMismatch);
  EXPECT_EQ(Count("conversions"), 1);
}

TEST_F(PgConversionTest, DuplicatesWithinOneBatchAgainstNewAndExistingRows) {
  EXPECT_EQ(Write(Conversion("p1", "clk_1", "old")), WriteOutcome::kStored);
  ConversionRecord changed = Conversion("p1", "clk_1", "idem-1");
  changed.value_micros = 1;
  WriteOp a = ConversionOp(Conversion("p1", "clk_1", "idem-1"));
  WriteOp b = ConversionOp(Conversion("p1", "clk_1", "idem-1"));
  WriteOp c = ConversionOp(changed);
  ConversionRecord old_changed = Conversion("p1", "clk_1", "old");
  old_changed.currency = "EUR";
  WriteOp d = ConversionOp(Conversion("p1", "clk_1", "old"));
  WriteOp e = ConversionOp(old_changed);
  WriteOp f = ConversionOp(Conversion("p1", "clk_1", "idem-1"), /*dry_run=*/true);
  Commit({&a, &b, &c, &d, &e, &f});
  EXPECT_EQ(Conv(a).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(b).outcome, WriteOutcome::kDuplicate);
  EXPECT_EQ(Conv(c).outcome, WriteOutcome::kPayloadMismatch);
  EXPECT_EQ(Conv(d).outcome, WriteOutcome::kDuplicate);
  EXPECT_EQ(Conv(e).outcome, WriteOutcome::kPayloadMismatch);
  EXPECT_EQ(Conv(f).outcome, WriteOutcome::kDuplicate);
  EXPECT_EQ(Count("conversions"), 2);
}

TEST_F(PgConversionTest, ClickOwnershipBidAndNoDedupKey) {
  EXPECT_EQ(Write(Conversion("p1", "clk_missing", "k")), WriteOutcome::kClickNotFound);
  EXPECT_EQ(Write(Conversion("p1", "clk_2", "k")), WriteOutcome::kClickNotFound);
  EXPECT_EQ(Write(Conversion("p1", "clk_nobid", "k")), WriteOutcome::kClickMissingBid);
  EXPECT_EQ(Write(Conversion("p1", "clk_1", std::nullopt)), WriteOutcome::kStored);
  EXPECT_EQ(Write(Conversion("p1", "clk_1", std::nullopt)), WriteOutcome::kStored);
  EXPECT_EQ(Count("conversions"), 2);
}

TEST_F(PgConversionTest, DryRunWritesNothing) {
  EXPECT_EQ(Write(Conversion("p1", "clk_1", "k1"), true), WriteOutcome::kStored);
  EXPECT_EQ(Write(Conversion("p1", "clk_missing", "k1"), true), WriteOutcome::kClickNotFound);
  EXPECT_EQ(Count("conversions"), 0);
  EXPECT_EQ(Write(Conversion("p1", "clk_1", "k1")), WriteOutcome::kStored);
  EXPECT_EQ(Write(Conversion("p1", "clk_1", "k1"), true), WriteOutcome::kDuplicate);
  ConversionRecord other = Conversion("p1", "clk_1", "k1");
  other.currency = "EUR";
  EXPECT_EQ(Write(other, true), WriteOutcome::kPayloadMismatch);
  EXPECT_EQ(Count("conversions"), 1);
}

TEST_F(PgConversionTest, RacingStoresOnOneDatabaseStoreOnce) {
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
  for (Store* s : {static_cast<Store*>(lite->get()), static_cast<Store*>(store_.get())}) {
    ASSERT_OK(s->InsertClick(Click("p1", "clk_1")));
    WriteOp ev = EventOp({e, Event("p2", "site:x", std::nullopt)});
    WriteOp cv = ConversionOp(c);
    WriteOp* ops[] = {&ev, &cv};
    ASSERT_OK(s->CommitBatch(ops));
  }
  auto lines = [](Store& s, bool conversions, ExportFilter f) {
    std::vector<std::string> rows;
    auto add = [&](const std::string& r) {
      rows.push_back(r);
      return Status::Ok();
    };
    EXPECT_OK((conversions ? s.ExportConversions(f, add) : s.ExportEvents(f, add)));
    return rows;
  };
  for (bool conversions : {false, true}) {
    for (ExportFilter f : {ExportFilter{}, ExportFilter{1771524000123456, "p1"},
                           ExportFilter{std::nullopt, "p2"}, ExportFilter{1771524000123457, {}}}) {
      EXPECT_EQ(lines(*store_, conversions, f), lines(**lite, conversions, f));
    }
  }
  EXPECT_EQ(Export(false).size(), 2u);
  EXPECT_THAT(Export(true).at(0), HasSubstr(R"("conversion_value":999999999999.999999)"));
}

TEST_F(PgStoreTest, KeysLifecycle) {
  KeyRecord k;
  k.id = "key_a";
  k.digest = "digest_a";
  k.partner_id = "p1";
  k.label = "label a";
  k.scopes = 3;
  k.created_at = 100;
  k.expires_at = 900;
  ASSERT_OK(store_->InsertKey(k));
  EXPECT_EQ(store_->InsertKey(k).code(), StatusCode::kAlreadyExists);
  KeyRecord k2 = k;
  k2.id = "key_b";
  k2.digest = "digest_b";
  k2.partner_id = "p2";
  k2.created_at = 50;
  ASSERT_OK(store_->InsertKey(k2));

  auto found = store_->FindKeyByDigest("digest_a");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->partner_id, "p1");
  EXPECT_EQ((*found)->expires_at, 900);
  EXPECT_FALSE((*found)->rate_limit_rps.has_value());
  auto none = store_->FindKeyByDigest("nope");
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());

  auto all = store_->ListKeys(std::nullopt);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "key_b");
  auto p1 = store_->ListKeys("p1");
  ASSERT_OK(p1);
  ASSERT_EQ(p1->size(), 1u);

  ASSERT_OK(store_->RevokeKey("key_a", 500));
  ASSERT_OK(store_->RevokeKey("key_a", 600));
  EXPECT_EQ(store_->RevokeKey("key_zzz", 600).code(), StatusCode::kNotFound);
  ASSERT_OK(store_->TouchKeys({{"key_a", 700}, {"key_b", 10}}));
  ASSERT_OK(store_->TouchKeys({{"key_a", 650}}));  // never backwards
  ASSERT_OK(store_->UpdateKeyLimits("key_a", 2.5, 7));
  EXPECT_EQ(store_->UpdateKeyLimits("key_zzz", 1, 1).code(), StatusCode::kNotFound);
  auto a = store_->FindKeyByDigest("digest_a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->revoked_at, 500);
  EXPECT_EQ((*a)->last_used_at, 700);
  EXPECT_EQ((*a)->rate_limit_rps, 2.5);
  EXPECT_EQ((*a)->rate_limit_burst, 7);
  ASSERT_OK(store_->UpdateKeyLimits("key_a", std::nullopt, std::nullopt));
  a = store_->FindKeyByDigest("digest_a");
  EXPECT_FALSE((*a)->rate_limit_rps.has_value());
  EXPECT_FALSE((*a)->rate_limit_burst.has_value());
}

TEST_F(PgStoreTest, ClicksAreUniquePerPartner) {
  ASSERT_OK(store_->InsertClick(Click("p1", "c1")));
  EXPECT_EQ(store_->InsertClick(Click("p1", "c1")).code(), StatusCode::kAlreadyExists);
  EXPECT_OK(store_->InsertClick(Click("p2", "c1")));
}

TEST_F(PgStoreTest, RetentionBackupAndCheckWritable) {
  std::vector<EventRecord> events;
  for (int i = 0; i < 5; ++i) {
    EventRecord e = Event("p1", "site:a", "e" + std::to_string(i));
    e.received_at = 1000 + i;
    events.push_back(e);
  }
  WriteOp op = EventOp(events);
  Commit({&op});
  auto deleted = store_->DeleteOlderThan(Store::Table::kEvents, 1003, 2);
  ASSERT_OK(deleted);
  EXPECT_EQ(*deleted, 2u);
  deleted = store_->DeleteOlderThan(Store::Table::kEvents, 1003, 2);
  EXPECT_EQ(*deleted, 1u);
  deleted = store_->DeleteOlderThan(Store::Table::kEvents, 1003, 2);
  EXPECT_EQ(*deleted, 0u);
  EXPECT_EQ(Count("events"), 2);
  EXPECT_EQ(store_->DeleteOlderThan(Store::Table::kConversions, 1003, 0).status().code(),
            StatusCode::kInvalidArgument);

  Status backup = store_->Backup("/tmp/x.db");
  EXPECT_EQ(backup.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(backup.message(), HasSubstr("pg_dump"));

  EXPECT_OK(store_->CheckWritable());
  EXPECT_EQ(Count("health"), 1);
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

}  // namespace
}  // namespace thrad::test
