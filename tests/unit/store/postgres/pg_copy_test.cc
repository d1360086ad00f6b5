// The PostgreSQL store's COPY fast path (pg_copy_events.cc) and its encoder (pg_copy.cc),
// against a real PostgreSQL server (see pg_test_fixture.h).
#include "store/postgres/pg_copy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pg_identity.h"
#include "store/postgres/pg_test_fixture.h"
#include "store/postgres/pg_text.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

using ::testing::ElementsAre;

TEST(PgCopyDataTest, BinaryFormatBytes) {
  PgCopyData d;
  d.BeginRow(4);
  d.Add(std::string_view("ab"));
  d.AddNull();
  d.Add(int64_t{-2});
  d.Add(std::string_view("a\0b", 3));  // NUL: the escaped stored form, as PgArray
  EXPECT_EQ(d.rows(), 1u);
  const std::string escaped = PgEncodeText(std::string_view("a\0b", 3));
  std::string want("PGCOPY\n\xff\r\n\0", 11);
  want += std::string(8, '\0');                       // flags, extension length
  want += std::string("\x00\x04", 2);                 // 4 fields
  want += std::string("\x00\x00\x00\x02", 4) + "ab";  // text
  want += "\xff\xff\xff\xff";                         // NULL
  want += std::string("\x00\x00\x00\x08", 4) + "\xff\xff\xff\xff\xff\xff\xff\xfe";  // -2
  want += std::string("\x00\x00\x00", 3) + static_cast<char>(escaped.size()) + escaped;
  want += "\xff\xff";  // trailer
  EXPECT_EQ(std::move(d).Finish(), want);
}

TEST(PgCopyDataTest, DoublesAndBooleans) {
  PgCopyData d;
  d.BeginRow(5);
  d.Add(std::optional<double>(1.0));
  d.Add(std::optional<double>());
  d.Add(std::optional<double>(std::numeric_limits<double>::quiet_NaN()));  // not finite: NULL
  d.Add(std::optional<bool>(true));
  d.Add(std::optional<bool>(false));
  std::string want("PGCOPY\n\xff\r\n\0", 11);
  want += std::string(8, '\0');
  want += std::string("\x00\x05", 2);
  want += std::string("\x00\x00\x00\x08\x3f\xf0\x00\x00\x00\x00\x00\x00", 12);  // 1.0
  want += "\xff\xff\xff\xff";
  want += "\xff\xff\xff\xff";
  want += std::string("\x00\x00\x00\x01\x01", 5);
  want += std::string("\x00\x00\x00\x01\x00", 5);
  want += "\xff\xff";
  EXPECT_EQ(std::move(d).Finish(), want);
}

TEST(SortInLockOrderTest, SortsConflictCapableRowsAmongTheirPlacesOnly) {
  std::vector<EventRecord> rows = {Event("p1", "t", "c"), Event("p1", "t", std::nullopt),
                                   Event("p2", "t", "a"), Event("p1", "t", "b"),
                                   Event("p1", "s", "z"), Event("p1", "t", std::nullopt)};
  rows[1].event_name = "first-anonymous";
  rows[5].event_name = "second-anonymous";
  std::vector<const EventRecord*> order;
  for (const EventRecord& e : rows) order.push_back(&e);
  SortInLockOrder(order, [](const EventRecord* e) { return EventKeyOf(*e); });
  std::vector<std::string> got;
  for (const EventRecord* e : order) {
    got.push_back(e->event_id ? e->partner_id + "/" + e->tag_id + "/" + *e->event_id
                              : e->event_name);
  }
  // Places 0, 2, 3, 4 hold the keyed rows, now ascending by (partner, tag, event_id); the
  // anonymous rows stay at 1 and 5.
  EXPECT_THAT(got, ElementsAre("p1/s/z", "first-anonymous", "p1/t/b", "p1/t/c", "p2/t/a",
                               "second-anonymous"));
}

// Every column set, and every optional one empty: what COPY stores must export exactly as the
// SQLite store's row does.
TEST_F(PgStoreTest, CopyStoresEveryColumnLikeTheSqliteStore) {
  TempDir dir;
  auto lite = SqliteStore::Open(dir.File("x.db"));
  ASSERT_OK(lite);
  ASSERT_OK((*lite)->Migrate());
  EventRecord full = Event("p1", "site:example.com", "e1");
  full.timestamp = -1771523999;
  full.page_url = "https://example.com/a?q=\"x\"\\\t\n";
  full.referrer = "https://ref.example/";
  full.user_agent = "UA/1.0 ü 😀";
  full.session_id = "s";
  full.client_id = "c";
  full.attribution_type = "click";
  full.impression_id = "imp";
  full.click_id = "clk";
  full.bid_id = "bid";
  full.impression_state = "viewable";
  full.view_time_ms = int64_t{1} << 40;
  full.consent_json = R"({"gdpr":true})";
  full.params_json = R"({"integration":"partner_s2s","extra":{"s":"a\u0000b"}})";
  full.channel = "server";
  full.client_ip = "2001:db8::1";
  full.received_at = 1771524000123456;
  EventRecord bare = Event("p1", std::string("site:\0", 6), std::nullopt);
  bare.event_name = std::string("a\0b", 3);
  for (Store* s : {static_cast<Store*>(lite->get()), static_cast<Store*>(store_.get())}) {
    WriteOp op = EventOp({full, bare});
    WriteOp* ops[] = {&op};
    ASSERT_OK(s->CommitBatch(ops));
    EXPECT_THAT(Outcomes(op), ElementsAre(WriteOutcome::kStored, WriteOutcome::kStored));
  }
  EXPECT_EQ(store_->CopyCounters().copies, 1u);
  std::vector<std::string> from_lite;
  ASSERT_OK((*lite)->ExportEvents({}, [&](const std::string& r) {
    from_lite.push_back(r);
    return Status::Ok();
  }));
  EXPECT_EQ(ExportEvents(), from_lite);
  EXPECT_EQ(from_lite.size(), 2u);
}

TEST_F(PgStoreTest, CopyConflictIsRedoneByTheDeduplicatingInsertThenPauses) {
  WriteOp first = EventOp({Event("p1", "site:a", "e1"), Event("p1", "site:a", "e1")});
  Commit({&first});
  EXPECT_THAT(Outcomes(first), ElementsAre(WriteOutcome::kStored, WriteOutcome::kDuplicate));
  EXPECT_EQ(store_->CopyCounters().copies, 1u);  // the in-batch duplicate never reached COPY

  // A stored identity among new ones: COPY fails whole, the INSERT decides each event.
  WriteOp retry = EventOp({Event("p1", "site:a", "e2"), Event("p1", "site:a", "e1")});
  WriteOp fresh = EventOp({Event("p1", "site:a", std::nullopt)});
  Commit({&retry, &fresh});
  EXPECT_OK(retry.status);
  EXPECT_THAT(Outcomes(retry), ElementsAre(WriteOutcome::kStored, WriteOutcome::kDuplicate));
  EXPECT_THAT(Outcomes(fresh), ElementsAre(WriteOutcome::kStored));
  EXPECT_EQ(store_->CopyCounters().conflicts, 1u);
  EXPECT_EQ(Count("events"), 3);

  // Events without an event_id cannot conflict: they take COPY even now, and do not count
  // towards the pause.
  WriteOp anonymous = EventOp({Event("p1", "site:a", std::nullopt)});
  Commit({&anonymous});
  EXPECT_THAT(Outcomes(anonymous), ElementsAre(WriteOutcome::kStored));
  EXPECT_EQ(store_->CopyCounters().copies, 2u);

  // The next 16 commits that could conflict skip COPY; then it is tried again.
  auto commit_new = [&, n = 100]() mutable {
    WriteOp op = EventOp({Event("p1", "site:a", "e" + std::to_string(n++))});
    Commit({&op});
    EXPECT_THAT(Outcomes(op), ElementsAre(WriteOutcome::kStored));
  };
  for (int i = 0; i < 16; ++i) commit_new();
  EXPECT_EQ(store_->CopyCounters().copies, 2u);
  commit_new();
  EXPECT_EQ(store_->CopyCounters().copies, 3u);

  // Conflicts in a row double the pause (32), and a COPY that succeeds resets it (16).
  auto conflict = [&] {
    WriteOp op = EventOp({Event("p1", "site:a", "e1")});
    Commit({&op});
    EXPECT_THAT(Outcomes(op), ElementsAre(WriteOutcome::kDuplicate));
  };
  conflict();
  for (int i = 0; i < 16; ++i) conflict();  // paused: the INSERT path, no COPY conflict
  EXPECT_EQ(store_->CopyCounters().conflicts, 2u);
  conflict();
  EXPECT_EQ(store_->CopyCounters().conflicts, 3u);
  for (int i = 0; i < 32; ++i) commit_new();
  EXPECT_EQ(store_->CopyCounters().copies, 3u);
  commit_new();
  EXPECT_EQ(store_->CopyCounters().copies, 4u);
  conflict();
  for (int i = 0; i < 16; ++i) commit_new();
  commit_new();
  EXPECT_EQ(store_->CopyCounters().copies, 5u);
  EXPECT_EQ(store_->CopyCounters().conflicts, 4u);
  EXPECT_EQ(Count("events"), 3 + 1 + 16 + 1 + 32 + 1 + 16 + 1);
}

// Batches that only COPY or the INSERT path can write go the INSERT way: dry runs and
// conversions (which need look-ups), mixed with events.
TEST_F(PgStoreTest, DryRunsAndConversionsNeverTakeCopy) {
  WriteOp dry = EventOp({Event("p1", "site:a", "e1")}, /*dry_run=*/true);
  WriteOp ev = EventOp({Event("p1", "site:a", "e2")});
  Commit({&dry, &ev});
  WriteOp conv = ConversionOp(Conversion("p1", "clk_missing", "k"));
  WriteOp ev2 = EventOp({Event("p1", "site:a", "e3")});
  Commit({&conv, &ev2});
  EXPECT_EQ(Conv(conv).outcome, WriteOutcome::kClickNotFound);
  EXPECT_THAT(Outcomes(ev2), ElementsAre(WriteOutcome::kStored));
  EXPECT_EQ(store_->CopyCounters().copies, 0u);
  EXPECT_EQ(Count("events"), 2);
}

// The backends on this test's database, and its deadlocks as PostgreSQL's statistics have them
// (a session reports its counts at the latest when it ends).
// Four stores (four servers) commit overlapping batches at once, each batch's identities in
// another order: COPYs that race on an identity wait for each other or conflict, yet never
// deadlock (every writer inserts conflict-capable rows in one order, SortInLockOrder), and
// each identity is stored once and answered "stored" once.
TEST_F(PgStoreTest, RacingCopiesStoreEachEventOnce) {
  constexpr int kStores = 4, kRounds = 20, kPerBatch = 8;
  const int64_t own_backends = Backends();
  std::vector<std::unique_ptr<PostgresStore>> stores;
  for (int i = 0; i < kStores; ++i) {
    auto s = PostgresStore::Open(url_);
    ASSERT_OK(s);
    stores.push_back(std::move(s).value());
  }
  std::vector<int> stored(kRounds * kPerBatch, 0);
  std::vector<int> duplicate(kRounds * kPerBatch, 0);
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < kRounds; ++round) {
        // Same identities in every store, each in its own order.
        std::vector<int> ids(kPerBatch);
        for (int k = 0; k < kPerBatch; ++k) ids[k] = round * kPerBatch + (k + i * 3) % kPerBatch;
        std::vector<EventRecord> events;
        for (int id : ids) events.push_back(Event("p1", "site:a", "e" + std::to_string(id)));
        WriteOp op = EventOp(events);
        WriteOp* ops[] = {&op};
        Status st = stores[i]->CommitBatch(ops);
        ASSERT_OK(st) << st.ToString();
        ASSERT_OK(op.status) << op.status.ToString();
        std::lock_guard lock(mu);
        for (int k = 0; k < kPerBatch; ++k) {
          (Outcomes(op)[k] == WriteOutcome::kStored ? stored : duplicate)[ids[k]]++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (size_t id = 0; id < stored.size(); ++id) {
    EXPECT_EQ(stored[id], 1) << id;
    EXPECT_EQ(duplicate[id], kStores - 1) << id;
  }
  EXPECT_EQ(Count("events"), kRounds * kPerBatch);
  EXPECT_EQ(Count("(SELECT DISTINCT event_id FROM events) d"), kRounds * kPerBatch);
  // The race really went through COPY and its fallback: in the first round no store is
  // paused, one COPY wins and the other three conflict (after a deadlock retry, if any).
  uint64_t copies = 0, conflicts = 0;
  for (const auto& s : stores) {
    copies += s->CopyCounters().copies;
    conflicts += s->CopyCounters().conflicts;
  }
  EXPECT_GE(copies, 1u);
  EXPECT_GE(conflicts, static_cast<uint64_t>(kStores - 1));

  stores.clear();  // their sessions end and report their statistics
  EXPECT_EQ(DeadlocksOnceEnded(own_backends), 0);
}

}  // namespace
}  // namespace thrad::test
