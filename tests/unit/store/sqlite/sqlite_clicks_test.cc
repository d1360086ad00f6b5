// SqliteStore's click statements (sqlite_clicks.h) use the indexes they were written for.
#include "store/sqlite/sqlite_clicks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "store/sqlite/sqlite_test_fixture.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

using ::testing::HasSubstr;

class SqliteClicksQueryPlanTest : public SqliteStoreTest {
 protected:
  // EXPLAIN QUERY PLAN of `sql`: one line per step.
  std::string Plan(const std::string& sql) {
    auto db = SqliteDb::Open(DbPath(), false);
    EXPECT_OK(db);
    auto q = (*db)->Prepare("EXPLAIN QUERY PLAN " + sql);
    EXPECT_OK(q) << q.status().ToString();
    std::string lines;
    while (true) {
      auto more = q->Step();
      EXPECT_OK(more);
      if (!more.ok() || !*more) return lines;
      lines += q->Text(3) + "\n";
    }
  }
};

TEST_F(SqliteClicksQueryPlanTest, ExportAndPruneReadTheClickedAtIndex) {
  EXPECT_THAT(Plan("SELECT * FROM clicks WHERE " + std::string(kClicksClickedSince) + " ORDER BY " +
                   std::string(kClicksExportOrder)),
              HasSubstr("SEARCH clicks USING INDEX clicks_clicked_at (clicked_at>?)"));
  // The clicks prune passes over (not yet past their exp) are judged from the index alone.
  EXPECT_THAT(Plan(std::string(kFindExpiredClicks)),
              HasSubstr("SEARCH clicks USING COVERING INDEX clicks_clicked_at (clicked_at<?)"));
  EXPECT_THAT(Plan(std::string(kDeleteExpiredClick)),
              HasSubstr("SEARCH clicks USING INTEGER PRIMARY KEY (rowid=?)"));
  // Writes and look-ups by identity use the unique index.
  EXPECT_THAT(Plan("SELECT * FROM clicks WHERE partner_id = ? AND click_id = ?"),
              HasSubstr("SEARCH clicks USING INDEX sqlite_autoindex_clicks_1 (partner_id=? AND "
                        "click_id=?)"));
}

// A database at 004 (clicks WITHOUT ROWID, every field) becomes a rowid table at 005 with every
// row and field kept, and the unique key still deciding duplicates.
TEST(SqliteClicksMigration5Test, RebuildsClicksAsARowidTableKeepingEveryField) {
  TempDir dir;
  const std::string path = dir.File("v4.db");
  {
    auto db = SqliteDb::Open(path, /*create=*/true);
    ASSERT_OK(db);
    ASSERT_OK(MigrateSqlite(**db, EmbeddedSqliteMigrations().subspan(0, 4), 1));
    ASSERT_OK((*db)->Exec(
        "INSERT INTO clicks(partner_id, click_id, bid_id, campaign_id, clicked_at, tag_id, "
        "landing_url, client_ip, user_agent, referrer, exp, source, filter_reason) VALUES "
        "('p1', 'clk_full', 'bid_1', 'cmp_1', 1771523000000000, 'pub_001', "
        "'https://shop.example.com/landing?a=1', '198.51.100.4', 'UA/2.0', "
        "'https://pub.example/', 1779299000, 'redirect', 'prefetch'), "
        "('p1', 'clk_old', NULL, NULL, 5, NULL, NULL, NULL, NULL, NULL, NULL, 'cli', NULL)"));
  }
  auto opened = SqliteStore::Open(path);
  ASSERT_OK(opened);
  SqliteStore& store = **opened;
  ASSERT_OK(store.Migrate());

  auto full = store.FindClick("p1", "clk_full");
  ASSERT_OK(full);
  ASSERT_TRUE(full->has_value());
  ClickRecord want = FullClick("p1", "clk_full");
  const ClickRecord& got = (*full)->click;
  EXPECT_EQ(got.bid_id, want.bid_id);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.tag_id, want.tag_id);
  EXPECT_EQ(got.landing_url, want.landing_url);
  EXPECT_EQ(got.client_ip, want.client_ip);
  EXPECT_EQ(got.user_agent, want.user_agent);
  EXPECT_EQ(got.referrer, want.referrer);
  EXPECT_EQ(got.exp, want.exp);
  EXPECT_EQ(got.source, "redirect");
  EXPECT_EQ(got.filter_reason, "prefetch");
  auto old = store.FindClick("p1", "clk_old");
  ASSERT_OK(old);
  ASSERT_TRUE(old->has_value());
  EXPECT_EQ((*old)->click.source, "cli");

  auto db = SqliteDb::Open(path, false);
  ASSERT_OK(db);
  EXPECT_EQ(Scalar(**db, "SELECT count(*) FROM clicks WHERE rowid > 0"), 2);  // has rowids
  EXPECT_EQ(Scalar(**db, "SELECT count(*) FROM sqlite_schema WHERE name = 'clicks_clicked_at'"), 1);
  WriteOp again = ClickOp({Click("p1", "clk_full", "bid_other"), Click("p1", "clk_new")});
  ASSERT_OK(store.CommitBatch(std::vector<WriteOp*>{&again}));
  EXPECT_EQ(Clicks(again).outcomes,
            (std::vector<WriteOutcome>{WriteOutcome::kDuplicate, WriteOutcome::kStored}));
  EXPECT_EQ(Clicks(again).clicks[0].bid_id, "bid_1");
  EXPECT_EQ(Scalar(**db, "SELECT count(*) FROM clicks"), 3);
}

}  // namespace
}  // namespace thrad::test
