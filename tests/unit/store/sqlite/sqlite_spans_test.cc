// SqliteStore's event_spans (schema/sqlite/003_event_spans.sql): what CommitBatch records, and
// export --since and prune --older-than on events, checked against a brute-force filter with
// received_at deliberately not monotonic in id.
#include "store/sqlite/sqlite_spans.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_test_fixture.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {
namespace sqlite_spans_test {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr UnixMicros kT = 1771524000000000;  // 2026-02-19T18:00:00Z

struct Span {
  int64_t first_id, last_id, min_received_at, max_received_at;
  bool operator==(const Span&) const = default;
};

void PrintTo(const Span& s, std::ostream* os) {
  *os << "{" << s.first_id << ".." << s.last_id << ", " << s.min_received_at - kT << ".."
      << s.max_received_at - kT << "}";
}

struct Row {
  int64_t id;
  UnixMicros received_at;
  std::string partner_id;
};

std::unique_ptr<SqliteDb> OpenDb(const std::string& path) {
  auto db = SqliteDb::Open(path, /*create=*/false);
  EXPECT_OK(db) << db.status().ToString();
  return std::move(db).value();
}

std::vector<Span> Spans(const std::string& path) {
  auto db = OpenDb(path);
  auto q = db->Prepare(
      "SELECT first_id, last_id, min_received_at, max_received_at FROM event_spans "
      "ORDER BY first_id");
  EXPECT_OK(q) << q.status().ToString();
  std::vector<Span> spans;
  while (true) {
    auto more = q->Step();
    EXPECT_OK(more);
    if (!more.ok() || !*more) return spans;
    spans.push_back({q->Int64(0), q->Int64(1), q->Int64(2), q->Int64(3)});
  }
}

std::vector<Row> Rows(const std::string& path) {
  auto db = OpenDb(path);
  auto q = db->Prepare("SELECT id, received_at, partner_id FROM events ORDER BY id");
  EXPECT_OK(q) << q.status().ToString();
  std::vector<Row> rows;
  while (true) {
    auto more = q->Step();
    EXPECT_OK(more);
    if (!more.ok() || !*more) return rows;
    rows.push_back({q->Int64(0), q->Int64(1), q->Text(2)});
  }
}

// The invariant: every event lies, by id and received_at, inside some span; spans are
// disjoint and ascending; none lies wholly below the smallest remaining id.
void ExpectSpansCoverEvents(const std::string& path) {
  auto db = OpenDb(path);
  EXPECT_EQ(Scalar(*db,
                   "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_spans s "
                   "WHERE e.id BETWEEN s.first_id AND s.last_id "
                   "AND e.received_at BETWEEN s.min_received_at AND s.max_received_at)"),
            0);
  EXPECT_EQ(Scalar(*db,
                   "SELECT count(*) FROM event_spans a JOIN event_spans b "
                   "ON a.first_id < b.first_id AND a.last_id >= b.first_id"),
            0);
}

std::vector<int64_t> Ids(const std::vector<std::string>& exported) {
  std::vector<int64_t> ids;
  for (const std::string& r : exported) ids.push_back(json::parse(r).at("id").as_int64());
  return ids;
}

EventRecord At(std::string partner, std::string event_id, UnixMicros offset) {
  EventRecord e = Event(std::move(partner), "site:a", std::move(event_id));
  e.received_at = kT + offset;
  return e;
}

// Transactions of event ops (each op a list of events) with received_at shuffled within a
// transaction, a later transaction older than earlier ones, equal values, two partners and
// a transaction of duplicates only.
using Plan = std::vector<std::vector<std::vector<EventRecord>>>;
Plan NonMonotonicPlan() {
  return {
      {{At("p1", "a1", 50), At("p1", "a2", 10), At("p2", "a3", 30)}, {At("p1", "a4", 20)}},
      {{At("p1", "b1", 5), At("p2", "b2", 60), At("p1", "b3", 40), At("p1", "b4", 45)}},
      {{At("p2", "c1", 100)}, {At("p1", "c2", 90), At("p1", "c3", 95)}},
      {{At("p1", "d1", 1), At("p2", "d2", 2), At("p1", "d3", 3)}},  // older than all before
      {{At("p1", "e1", 70), At("p1", "e2", 70), At("p2", "e3", 70)}},
      {{At("p1", "a1", 0), At("p1", "b1", 200)}},  // duplicates only: no span
      {{At("p2", "f1", 80), At("p1", "f2", 15)}},
  };
}

// Every received_at offset of `plan`'s stored events, each +-1, and values before and after.
std::vector<UnixMicros> Thresholds(const Plan& plan) {
  std::set<UnixMicros> t = {kT - 1000, kT + 1000};
  for (size_t tx = 0; tx < plan.size(); ++tx) {
    if (tx == 5) continue;  // the duplicates' received_at is never stored
    for (const auto& op : plan[tx]) {
      for (const EventRecord& e : op) {
        for (UnixMicros d : {-1, 0, 1}) t.insert(e.received_at + d);
      }
    }
  }
  return {t.begin(), t.end()};
}

class SqliteEventSpansTest : public SqliteStoreTest {
 protected:
  void CommitPlan(const Plan& plan) {
    for (const auto& tx : plan) {
      std::vector<WriteOp> ops;
      for (const auto& events : tx) ops.push_back(EventOp(events));
      std::vector<WriteOp*> ptrs;
      for (WriteOp& op : ops) ptrs.push_back(&op);
      Commit(ptrs);
      for (WriteOp& op : ops) ASSERT_OK(op.status) << op.status.ToString();
    }
  }

  // Prunes events received before `cutoff`, `batch` rows per call, as `prune` does.
  uint64_t Prune(UnixMicros cutoff, size_t batch) {
    uint64_t total = 0;
    for (int calls = 0; calls < 1000; ++calls) {
      auto n = store_->DeleteOlderThan(Store::Table::kEvents, cutoff, batch);
      EXPECT_OK(n) << n.status().ToString();
      if (!n.ok()) return total;
      EXPECT_LE(*n, batch);
      total += *n;
      if (*n < batch) return total;
    }
    ADD_FAILURE() << "prune did not finish";
    return total;
  }

  int64_t MaxEventId() { return Scalar(*OpenDb(DbPath()), "SELECT max(id) FROM events"); }
};

TEST_F(SqliteEventSpansTest, OneSpanPerTransactionWithTheStoredRowsBounds) {
  WriteOp first = EventOp({At("p1", "e0", 0)});
  Commit({&first});
  EXPECT_THAT(Spans(DbPath()), ElementsAre(Span{1, 1, kT, kT}));

  {  // A failing op, injected with a trigger (as in sqlite_store_test.cc).
    auto db = OpenDb(DbPath());
    ASSERT_OK(
        db->Exec("CREATE TRIGGER poison BEFORE INSERT ON events "
                 "WHEN NEW.event_name = 'poison' BEGIN SELECT RAISE(ABORT, 'boom'); END"));
  }
  EventRecord poison = At("p1", "x2", 5000);
  poison.event_name = "poison";
  WriteOp stored1 = EventOp({At("p1", "e1", 50), At("p1", "e2", 7)});
  WriteOp duplicate = EventOp({At("p1", "e0", -5000)});
  WriteOp dry = EventOp({At("p1", "x1", -9000), At("p1", "x3", 9000)}, /*dry_run=*/true);
  WriteOp failed = EventOp({At("p1", "x4", -7000), poison});
  WriteOp conversion = ConversionOp(Conversion("p1", "no-such-click", "k"));
  WriteOp stored2 = EventOp({At("p2", "e3", 20)});
  Commit({&stored1, &duplicate, &dry, &failed, &conversion, &stored2});
  ASSERT_OK(stored1.status);
  ASSERT_OK(stored2.status);
  ASSERT_OK(duplicate.status);
  ASSERT_FALSE(failed.status.ok());
  EXPECT_THAT(Outcomes(duplicate), ElementsAre(WriteOutcome::kDuplicate));
  EXPECT_EQ(Count("events"), 4);

  // Exactly one new span: ids after the first transaction's, bounds over stored rows only.
  EXPECT_THAT(Spans(DbPath()),
              ElementsAre(Span{1, 1, kT, kT}, Span{2, MaxEventId(), kT + 7, kT + 50}));
  ExpectSpansCoverEvents(DbPath());
}

TEST_F(SqliteEventSpansTest, TransactionsStoringNoEventRecordNoSpan) {
  WriteOp first = EventOp({At("p1", "e0", 0), At("p1", "e1", 1)});
  Commit({&first});
  const std::vector<Span> before = Spans(DbPath());
  ASSERT_EQ(before.size(), 1u);

  WriteOp duplicates = EventOp({At("p1", "e0", 10), At("p1", "e1", 11)});
  WriteOp duplicate = EventOp({At("p1", "e1", 12)});
  Commit({&duplicates, &duplicate});
  EXPECT_THAT(Outcomes(duplicates),
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kDuplicate));
  EXPECT_EQ(Spans(DbPath()), before);

  WriteOp dry = EventOp({At("p1", "n1", 10)}, /*dry_run=*/true);
  Commit({&dry});
  EXPECT_THAT(Outcomes(dry), ElementsAre(WriteOutcome::kStored));
  EXPECT_EQ(Spans(DbPath()), before);

  WriteOp conversion = ConversionOp(Conversion("p1", "no-such-click", "k"));
  Commit({&conversion});
  EXPECT_EQ(Spans(DbPath()), before);

  {
    auto db = OpenDb(DbPath());
    ASSERT_OK(
        db->Exec("CREATE TRIGGER poison BEFORE INSERT ON events "
                 "WHEN NEW.event_name = 'poison' BEGIN SELECT RAISE(ABORT, 'boom'); END"));
  }
  EventRecord poison = At("p1", "n3", 30);
  poison.event_name = "poison";
  WriteOp failed_batch = EventOp({At("p1", "n2", 20), poison});
  WriteOp failed_single = EventOp({poison});
  Commit({&failed_batch, &failed_single});
  EXPECT_FALSE(failed_batch.status.ok());
  EXPECT_FALSE(failed_single.status.ok());
  EXPECT_EQ(Count("events"), 2);
  EXPECT_EQ(Spans(DbPath()), before);
}

TEST_F(SqliteEventSpansTest, ExportSinceMatchesBruteForce) {
  EXPECT_THAT(ExportEvents({.since = kT, .partner_id = {}}), IsEmpty());  // empty table
  const Plan plan = NonMonotonicPlan();
  CommitPlan(plan);
  EXPECT_EQ(Spans(DbPath()).size(), plan.size() - 1);  // the duplicates made none
  ExpectSpansCoverEvents(DbPath());

  const std::vector<Row> rows = Rows(DbPath());
  ASSERT_EQ(rows.size(), 19u);
  for (UnixMicros since : Thresholds(plan)) {
    for (const auto& partner : std::vector<std::optional<std::string>>{std::nullopt, "p2"}) {
      std::vector<int64_t> want;
      for (const Row& r : rows) {
        if (r.received_at >= since && (!partner || r.partner_id == *partner)) {
          want.push_back(r.id);
        }
      }
      EXPECT_EQ(Ids(ExportEvents({.since = since, .partner_id = partner})), want)
          << "since " << since - kT << " partner " << partner.value_or("*");
    }
  }
}

TEST_F(SqliteEventSpansTest, PruneMatchesBruteForceAtEveryCutoff) {
  EXPECT_EQ(Prune(kT + 1000, 3), 0u);  // empty table
  EXPECT_THAT(Spans(DbPath()), IsEmpty());

  const Plan plan = NonMonotonicPlan();
  for (UnixMicros cutoff : Thresholds(plan)) {
    SCOPED_TRACE("cutoff " + std::to_string(cutoff - kT));
    TempDir dir;
    const std::string path = dir.File("prune.db");
    auto opened = SqliteStore::Open(path);
    ASSERT_OK(opened);
    store_ = std::move(opened).value();  // Commit and Prune act on store_
    ASSERT_OK(store_->Migrate());
    CommitPlan(plan);
    const std::vector<Row> all = Rows(path);

    std::vector<int64_t> keep;
    for (const Row& r : all) {
      if (r.received_at >= cutoff) keep.push_back(r.id);
    }
    EXPECT_EQ(Prune(cutoff, 2), all.size() - keep.size());
    std::vector<int64_t> kept;
    for (const Row& r : Rows(path)) kept.push_back(r.id);
    EXPECT_EQ(kept, keep);
    ExpectSpansCoverEvents(path);
    if (keep.empty()) {
      EXPECT_THAT(Spans(path), IsEmpty());
    } else {
      EXPECT_GE(Spans(path).front().last_id, keep.front());  // none wholly below
    }
    store_.reset();
  }
}

TEST_F(SqliteEventSpansTest, PruneInSmallBatchesRemovesOldRowsAndShrinksSpans) {
  // 12 transactions of 4 events; transaction t holds offsets 10t + {3, 0, 2, 1} (shuffled),
  // except transaction 5, which is older than everything before it.
  for (int t = 0; t < 12; ++t) {
    std::vector<EventRecord> events;
    for (int k : {3, 0, 2, 1}) {
      const UnixMicros offset = t == 5 ? k : 10 * t + k;
      events.push_back(At("p1", "e" + std::to_string(t) + "-" + std::to_string(k), offset));
    }
    WriteOp op = EventOp(events);
    Commit({&op});
  }
  ASSERT_EQ(Spans(DbPath()).size(), 12u);

  // Cutoff 42: transactions 0-3 and 5 entirely, and two rows of transaction 4 (40, 41).
  EXPECT_EQ(Prune(kT + 42, 3), 22u);
  std::vector<Row> rows = Rows(DbPath());
  ASSERT_EQ(rows.size(), 26u);
  for (const Row& r : rows) EXPECT_GE(r.received_at, kT + 42) << r.id;
  // Transactions 0-3 are gone: their spans too. Transaction 5's span stays (it lies above
  // transaction 4's surviving rows) until the rows below it go: conservative, still exact.
  std::vector<Span> spans = Spans(DbPath());
  EXPECT_EQ(spans.size(), 8u);
  EXPECT_EQ(spans.front().first_id, 17);  // transaction 4: ids 17-20
  ExpectSpansCoverEvents(DbPath());
  EXPECT_EQ(Prune(kT + 42, 3), 0u);  // nothing more to do

  EXPECT_EQ(Prune(kT + 1000, 5), 26u);
  EXPECT_EQ(Count("events"), 0);
  EXPECT_THAT(Spans(DbPath()), IsEmpty());

  // Writing and exporting go on: ids keep growing, new spans start after the old ones.
  WriteOp later = EventOp({At("p1", "later", 500)});
  Commit({&later});
  EXPECT_THAT(Spans(DbPath()), ElementsAre(Span{49, 49, kT + 500, kT + 500}));
  EXPECT_THAT(Ids(ExportEvents({.since = kT + 500, .partner_id = {}})), ElementsAre(49));
  EXPECT_THAT(Ids(ExportEvents({.since = kT + 501, .partner_id = {}})), IsEmpty());
}

TEST(SqliteMigration3Test, CoversExistingEventsWithOneSpanAndDropsTheIndex) {
  for (bool with_events : {true, false}) {
    SCOPED_TRACE(with_events ? "with events" : "empty");
    TempDir dir;
    const std::string path = dir.File("old.db");
    {
      auto opened = SqliteStore::Open(path);
      ASSERT_OK(opened);
      auto db = OpenDb(path);
      auto all = EmbeddedSqliteMigrations();
      ASSERT_GE(all.size(), 3u);
      ASSERT_OK(MigrateSqlite(*db, all.subspan(0, 2), 1));
      for (int offset : {30, 10, 50, 20, 40}) {
        if (!with_events) break;
        ASSERT_OK(
            db->Exec("INSERT INTO events(partner_id, key_id, event_name, tag_id, "
                     "params_json, channel, client_ip, received_at) VALUES('p1', 'k', "
                     "'n', 't', '{}', 'server', '127.0.0.1', " +
                     std::to_string(kT + offset) + ")"));
      }
    }
    auto opened = SqliteStore::Open(path);
    ASSERT_OK(opened);
    SqliteStore& store = **opened;
    ASSERT_OK(store.Migrate());

    auto db = OpenDb(path);
    EXPECT_EQ(Scalar(*db, "SELECT max(version) FROM schema_migrations"),
              EmbeddedSqliteMigrations().back().version);
    EXPECT_EQ(Scalar(*db, "SELECT count(*) FROM sqlite_schema WHERE name = 'events_received_at'"),
              0);
    if (with_events) {
      EXPECT_THAT(Spans(path), ElementsAre(Span{1, 5, kT + 10, kT + 50}));
    } else {
      EXPECT_THAT(Spans(path), IsEmpty());
    }

    WriteOp op = EventOp({At("p1", "new", 25)});
    ASSERT_OK(store.CommitBatch(std::vector<WriteOp*>{&op}));
    const int64_t new_id = with_events ? 6 : 1;
    EXPECT_EQ(Spans(path).back(), (Span{new_id, new_id, kT + 25, kT + 25}));
    ExpectSpansCoverEvents(path);

    std::vector<int64_t> exported;
    Status st = store.ExportEvents({.since = kT + 25, .partner_id = {}}, [&](const std::string& r) {
      exported.push_back(json::parse(r).at("id").as_int64());
      return Status::Ok();
    });
    ASSERT_OK(st) << st.ToString();
    if (with_events) {
      EXPECT_THAT(exported, ElementsAre(1, 3, 5, 6));  // 30, 50, 40, 25
    } else {
      EXPECT_THAT(exported, ElementsAre(1));
    }
  }
}

TEST(SqliteEventSpansQueryPlanTest, ExportAndPruneSearchByRowidAndPruneBySpanIndex) {
  TempDir dir;
  const std::string path = dir.File("plan.db");
  auto opened = SqliteStore::Open(path);
  ASSERT_OK(opened);
  ASSERT_OK((*opened)->Migrate());
  auto db = OpenDb(path);
  auto plan = [&](const std::string& sql) {
    auto q = db->Prepare("EXPLAIN QUERY PLAN " + sql);
    EXPECT_OK(q) << q.status().ToString();
    std::string lines;
    while (true) {
      auto more = q->Step();
      EXPECT_OK(more);
      if (!more.ok() || !*more) return lines;
      lines += q->Text(3) + "\n";
    }
  };
  const std::string export_plan =
      plan("SELECT id FROM events WHERE " + std::string(kEventsReceivedSince) + " ORDER BY id");
  EXPECT_NE(export_plan.find("SEARCH events USING INTEGER PRIMARY KEY (rowid>?)"),
            std::string::npos)
      << export_plan;
  const std::string prune_plan = plan(std::string(kDeleteEventsReceivedBefore));
  EXPECT_NE(prune_plan.find("SEARCH events USING INTEGER PRIMARY KEY (rowid<?)"), std::string::npos)
      << prune_plan;
  // Its bound reads only the spans that may hold old rows, not every span.
  EXPECT_NE(prune_plan.find("SEARCH event_spans USING INDEX event_spans_min_received_at "
                            "(min_received_at<?)"),
            std::string::npos)
      << prune_plan;
}

}  // namespace sqlite_spans_test
}  // namespace
}  // namespace thrad::test
