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

}  // namespace
}  // namespace thrad::test
