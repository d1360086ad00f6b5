#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "model/write_op.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/status_matchers.h"

namespace thrad::test {

// A fresh directory under the test temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "thrad_store_XXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A migrated SqliteStore in a temp dir.
class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteStore::Open(DbPath(), Options());
    ASSERT_OK(opened) << opened.status().ToString();
    store_ = std::move(opened).value();
    ASSERT_OK(store_->Migrate());
  }
  virtual SqliteStoreOptions Options() const { return {}; }
  std::string DbPath() const { return dir_.File("db/thrad.db"); }

  // Commits `ops` in one batch, expecting the transaction to commit.
  void Commit(std::vector<WriteOp*> ops) {
    Status st = store_->CommitBatch(ops);
    ASSERT_OK(st) << st.ToString();
  }

  // Rows of `table`, counted on a separate connection.
  int64_t Count(const std::string& table) {
    auto db = SqliteDb::Open(DbPath(), false);
    EXPECT_OK(db);
    auto q = (*db)->Prepare("SELECT count(*) FROM " + table);
    EXPECT_OK(q);
    auto row = q->Step();
    EXPECT_TRUE(row.ok() && *row);
    return q->Int64(0);
  }

  std::vector<std::string> ExportEvents(ExportFilter filter = {}) {
    std::vector<std::string> rows;
    Status st = store_->ExportEvents(filter, [&](const std::string& r) {
      rows.push_back(r);
      return Status::Ok();
    });
    EXPECT_OK(st) << st.ToString();
    return rows;
  }

  std::vector<std::string> ExportConversions(ExportFilter filter = {}) {
    std::vector<std::string> rows;
    Status st = store_->ExportConversions(filter, [&](const std::string& r) {
      rows.push_back(r);
      return Status::Ok();
    });
    EXPECT_OK(st) << st.ToString();
    return rows;
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

// The first column of the first row of `sql` (which must return one).
inline int64_t Scalar(SqliteDb& db, const std::string& sql) {
  auto q = db.Prepare(sql);
  EXPECT_OK(q) << q.status().ToString();
  auto row = q->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return q->Int64(0);
}

inline EventRecord Event(std::string partner, std::string tag,
                         std::optional<std::string> event_id) {
  EventRecord e;
  e.partner_id = std::move(partner);
  e.key_id = "key_1";
  e.event_name = "page_view";
  e.tag_id = std::move(tag);
  e.event_id = std::move(event_id);
  e.params_json = R"({"integration":"partner_s2s"})";
  e.client_ip = "203.0.113.7";
  e.received_at = 1771524000000000;
  return e;
}

inline WriteOp EventOp(std::vector<EventRecord> events, bool dry_run = false) {
  WriteOp op;
  EventWrite w;
  w.events = std::move(events);
  op.payload = std::move(w);
  op.dry_run = dry_run;
  return op;
}

inline const std::vector<WriteOutcome>& Outcomes(const WriteOp& op) {
  return std::get<EventWrite>(op.payload).outcomes;
}

inline ConversionRecord Conversion(std::string partner, std::string click,
                                   std::optional<std::string> dedup_key) {
  ConversionRecord c;
  c.partner_id = std::move(partner);
  c.key_id = "key_1";
  c.click_id = std::move(click);
  c.conversion_time = 1771524000000000;
  c.value_micros = 49990000;
  c.currency = "USD";
  c.dedup_key = std::move(dedup_key);
  c.dedup_source = c.dedup_key ? DedupSource::kHeader : DedupSource::kNone;
  c.params_json = R"({"integration":"partner_s2s"})";
  c.client_ip = "203.0.113.7";
  c.received_at = 1771524000000001;
  return c;
}

inline WriteOp ConversionOp(ConversionRecord c, bool dry_run = false) {
  WriteOp op;
  ConversionWrite w;
  w.conversion = std::move(c);
  op.payload = std::move(w);
  op.dry_run = dry_run;
  return op;
}

inline const ConversionWrite& Conv(const WriteOp& op) {
  return std::get<ConversionWrite>(op.payload);
}

inline ClickRecord Click(std::string partner, std::string click_id,
                         std::optional<std::string> bid = "bid_1",
                         std::optional<std::string> campaign = "cmp_1") {
  ClickRecord c;
  c.partner_id = std::move(partner);
  c.click_id = std::move(click_id);
  c.bid_id = std::move(bid);
  c.campaign_id = std::move(campaign);
  c.created_at = 1771523000000000;
  return c;
}

}  // namespace thrad::test
