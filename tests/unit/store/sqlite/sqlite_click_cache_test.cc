// The writer's click cache (SqliteClickCache): conversions take their click from it, and it is
// never wrong about a click deleted, rolled back or evicted.
#include "store/sqlite/sqlite_click_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "store/sqlite/sqlite_test_fixture.h"

namespace thrad::test {
namespace {

using ::testing::ElementsAre;

// SqliteStoreTest with a cache of `capacity` clicks.
class SqliteClickCacheStoreTest : public SqliteStoreTest {
 protected:
  SqliteStoreOptions Options() const override {
    SqliteStoreOptions o;
    o.click_cache_entries = capacity_;
    return o;
  }
  // One conversion of click `click_id` (dedup key `key`), alone in its batch; its outcome.
  WriteOutcome Convert(const std::string& click_id, const std::string& key,
                       ConversionRecord* stored = nullptr) {
    WriteOp op = ConversionOp(Conversion("p1", click_id, key));
    EXPECT_OK(store_->CommitBatch(std::vector<WriteOp*>{&op}));
    EXPECT_OK(op.status);
    if (stored != nullptr) *stored = Conv(op).conversion;
    return Conv(op).outcome;
  }
  size_t capacity_ = 16;
};

TEST_F(SqliteClickCacheStoreTest, AClickIsReadOnceThenTakenFromTheCacheWithEveryField) {
  ClickRecord click = FullClick("p1", "clk_1");
  click.bid_id = "bid_9";
  click.campaign_id = "cmp_9";
  WriteOp clicks = ClickOp({click});
  Commit({&clicks});
  ASSERT_THAT(Clicks(clicks).outcomes, ElementsAre(WriteOutcome::kStored));

  ConversionRecord first, second;
  EXPECT_EQ(Convert("clk_1", "k1", &first), WriteOutcome::kStored);
  EXPECT_EQ(Convert("clk_1", "k2", &second), WriteOutcome::kStored);
  for (const ConversionRecord* c : {&first, &second}) {
    EXPECT_EQ(c->bid_id, "bid_9");
    EXPECT_EQ(c->campaign_id, "cmp_9");
    EXPECT_EQ(c->click_time, click.created_at);
    EXPECT_EQ(c->click_tag_id, "pub_001");
  }
  // Storing the click does not cache it (the click paths pay nothing); the first conversion
  // reads it, the second takes it from the cache.
  EXPECT_EQ(store_->ClickCacheCounters().misses, 1u);
  EXPECT_EQ(store_->ClickCacheCounters().hits, 1u);
  EXPECT_EQ(Count("conversions"), 2);
}

TEST_F(SqliteClickCacheStoreTest, AClickStoredElsewhereIsReadOnceThenCached) {
  ASSERT_OK(store_->InsertClick(Click("p1", "clk_1", std::nullopt)));  // `clicks add`: no bid
  ASSERT_OK(store_->InsertClick(Click("p1", "clk_2")));
  EXPECT_EQ(Convert("clk_1", "k1"), WriteOutcome::kClickMissingBid);
  EXPECT_EQ(Convert("clk_1", "k2"), WriteOutcome::kClickMissingBid);
  EXPECT_EQ(Convert("clk_2", "k1"), WriteOutcome::kStored);
  EXPECT_EQ(Convert("clk_2", "k2"), WriteOutcome::kStored);
  EXPECT_EQ(Convert("clk_none", "k1"), WriteOutcome::kClickNotFound);
  EXPECT_EQ(Convert("clk_none", "k2"), WriteOutcome::kClickNotFound);  // never cached
  EXPECT_EQ(store_->ClickCacheCounters().hits, 2u);
  EXPECT_EQ(store_->ClickCacheCounters().misses, 4u);
}

// The exactness the cache rests on: a click deleted by any connection (another process's prune,
// erase, or plain SQL) is not found by the next conversion, though it was cached.
TEST_F(SqliteClickCacheStoreTest, AClickDeletedByAnotherConnectionIsNotFoundAnyMore) {
  WriteOp clicks = ClickOp({Click("p1", "clk_1"), Click("p1", "clk_2")});
  Commit({&clicks});
  EXPECT_EQ(Convert("clk_1", "k1"), WriteOutcome::kStored);
  EXPECT_EQ(Convert("clk_1", "k1b"), WriteOutcome::kStored);  // from the cache
  EXPECT_EQ(Convert("clk_2", "k1"), WriteOutcome::kStored);
  ASSERT_EQ(store_->ClickCacheCounters().hits, 1u);
  ASSERT_EQ(store_->ClickCacheCounters().misses, 2u);

  Sql("DELETE FROM clicks WHERE click_id = 'clk_1'");
  EXPECT_EQ(Convert("clk_1", "k2"), WriteOutcome::kClickNotFound);
  EXPECT_EQ(Convert("clk_2", "k2"), WriteOutcome::kStored);  // read again, cached again
  EXPECT_EQ(Convert("clk_2", "k3"), WriteOutcome::kStored);
  EXPECT_EQ(store_->ClickCacheCounters().hits, 2u);
  EXPECT_EQ(store_->ClickCacheCounters().misses, 4u);

  // The store's own prune, on its maintenance connection.
  ASSERT_OK(store_
                ->DeleteExpiredClicks(/*cutoff=*/Click("p1", "x").created_at + 1,
                                      /*now=*/2000000000, 100)
                .status());
  EXPECT_EQ(Convert("clk_2", "k4"), WriteOutcome::kClickNotFound);
  EXPECT_EQ(Count("clicks"), 0);
}

// A click whose op was undone (its savepoint rolled back) never enters the cache.
TEST_F(SqliteClickCacheStoreTest, AClickOfAFailedOpIsNeverCached) {
  ClickRecord poisoned = Click("p1", "clk_2");
  poisoned.tag_id = "poison";
  FailInsertsOfClicksTagged("poison");
  WriteOp clicks = ClickOp({Click("p1", "clk_1"), poisoned});
  Commit({&clicks});
  ASSERT_FALSE(clicks.status.ok());
  EXPECT_EQ(Count("clicks"), 0);
  EXPECT_EQ(Convert("clk_1", "k1"), WriteOutcome::kClickNotFound);
  EXPECT_EQ(store_->ClickCacheCounters().hits, 0u);
}

// Evicted clicks are read again; with no capacity every conversion reads its click.
TEST_F(SqliteClickCacheStoreTest, EvictedClicksAreReadAgain) {
  capacity_ = 1;
  SetUp();
  WriteOp clicks = ClickOp({Click("p1", "clk_1", "bid_a"), Click("p1", "clk_2", "bid_b")});
  Commit({&clicks});
  for (const char* key : {"k1", "k2"}) {
    ConversionRecord a, b;
    EXPECT_EQ(Convert("clk_1", key, &a), WriteOutcome::kStored);
    EXPECT_EQ(Convert("clk_2", key, &b), WriteOutcome::kStored);
    EXPECT_EQ(a.bid_id, "bid_a");
    EXPECT_EQ(b.bid_id, "bid_b");
  }
  EXPECT_EQ(Count("conversions"), 4);
}

TEST_F(SqliteClickCacheStoreTest, ZeroCapacityReadsEveryClick) {
  capacity_ = 0;
  SetUp();
  WriteOp clicks = ClickOp({Click("p1", "clk_1")});
  Commit({&clicks});
  EXPECT_EQ(Convert("clk_1", "k1"), WriteOutcome::kStored);
  EXPECT_EQ(Convert("clk_1", "k2"), WriteOutcome::kStored);
  EXPECT_EQ(store_->ClickCacheCounters().hits, 0u);
  EXPECT_EQ(store_->ClickCacheCounters().misses, 2u);
}

// The class alone, on a connection of its own: what a transaction read is cached only when it
// commits.
TEST_F(SqliteClickCacheStoreTest, OnlyCommittedTransactionsFillTheCache) {
  auto opened = SqliteDb::Open(DbPath(), false);
  ASSERT_OK(opened);
  SqliteDb& db = **opened;
  SqliteClickCache cache(8);

  ASSERT_OK(db.Exec("BEGIN IMMEDIATE"));
  cache.Begin();
  ASSERT_OK(
      db.Exec("INSERT INTO clicks(partner_id, click_id, bid_id, clicked_at, source) "
              "VALUES ('p1', 'clk_1', 'bid_1', 5, 'api')"));
  auto found = cache.Find(db, "p1", "clk_1");  // read in the transaction
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  ASSERT_OK(db.Exec("ROLLBACK"));
  cache.RolledBack();

  ASSERT_OK(db.Exec("BEGIN IMMEDIATE"));
  cache.Begin();
  auto again = cache.Find(db, "p1", "clk_1");
  ASSERT_OK(again);
  EXPECT_FALSE(again->has_value());
  ASSERT_OK(
      db.Exec("INSERT INTO clicks(partner_id, click_id, bid_id, clicked_at, source) "
              "VALUES ('p1', 'clk_1', 'bid_1', 5, 'api')"));
  ASSERT_OK(cache.Find(db, "p1", "clk_1"));
  ASSERT_OK(db.Exec("COMMIT"));
  cache.Committed();
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.hits(), 0u);

  ASSERT_OK(db.Exec("BEGIN IMMEDIATE"));
  cache.Begin();
  auto hit = cache.Find(db, "p1", "clk_1");
  ASSERT_OK(hit);
  ASSERT_TRUE(hit->has_value());
  EXPECT_EQ((*hit)->bid_id, "bid_1");
  EXPECT_EQ((*hit)->clicked_at, 5);
  EXPECT_EQ(cache.hits(), 1u);
  ASSERT_OK(db.Exec("COMMIT"));
  cache.Committed();
}

}  // namespace
}  // namespace thrad::test
