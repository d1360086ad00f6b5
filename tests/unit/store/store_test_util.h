#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/write_op.h"
#include "store/store.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace thrad::test {

// The base of every store fixture (SqliteStoreTest, PgStoreTest): a migrated backend behind
// store(), and what tests need that the Store interface does not offer. The conformance suite
// (store_conformance.h) runs the same tests on each.
class StoreTest : public ::testing::Test {
 protected:
  virtual Store& store() = 0;
  // Rows of `table` (a table name, optionally followed by a WHERE clause), counted on a
  // connection of the test's own.
  virtual int64_t Count(const std::string& table) = 0;
  // Makes the insert of any event named `event_name` fail from now on (with a trigger): a real
  // statement failure on the data of one op.
  virtual void FailInsertsOfEventsNamed(const std::string& event_name) = 0;
  // The same for any click with tag_id `tag`.
  virtual void FailInsertsOfClicksTagged(const std::string& tag) = 0;

  // For the migration test: replaces store() by nothing and the database by a new one migrated
  // only as far as before clicks had every field (SQLite 003, PostgreSQL 001); Sql() then runs
  // statements on it, AddSpanOfRawEvents() makes events inserted by Sql() exportable (SQLite's
  // event_spans; nothing on PostgreSQL), and ReopenStore() opens it with this binary's store
  // and migrates it.
  virtual void RecreateBeforeClickFields() = 0;
  // The same, migrated as far as before the reports' rollups (SQLite 007, PostgreSQL 005).
  virtual void RecreateBeforeRollups() = 0;
  virtual void Sql(const std::string& statements) = 0;
  virtual void AddSpanOfRawEvents() = 0;
  virtual void ReopenStore() = 0;

  // Commits `ops` in one batch, expecting the transaction to commit.
  void Commit(std::vector<WriteOp*> ops) { ASSERT_OK(store().CommitBatch(ops)); }

  std::vector<std::string> ExportEvents(ExportFilter filter = {}) {
    return Export(&ExportStore::ExportEvents, filter);
  }
  std::vector<std::string> ExportConversions(ExportFilter filter = {}) {
    return Export(&ExportStore::ExportConversions, filter);
  }
  std::vector<std::string> ExportClicks(ExportFilter filter = {}) {
    return Export(&ExportStore::ExportClicks, filter);
  }

 private:
  using ExportMethod = Status (ExportStore::*)(const ExportFilter&,
                                               const std::function<Status(const std::string&)>&);
  std::vector<std::string> Export(ExportMethod method, const ExportFilter& filter) {
    std::vector<std::string> rows;
    auto add = [&](const std::string& r) {
      rows.push_back(r);
      return Status::Ok();
    };
    ExportStore& exports = store();
    EXPECT_OK((exports.*method)(filter, add));
    return rows;
  }
};

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

// An API key record: id `id`, digest "digest_<id>", label "label <id>", both scopes.
inline KeyRecord Key(std::string id, std::string partner = "p1", UnixMicros created_at = 1) {
  KeyRecord k;
  k.id = id;
  k.digest = "digest_" + id;
  k.partner_id = std::move(partner);
  k.label = "label " + id;
  k.scopes = static_cast<uint32_t>(Scope::kCollect) | static_cast<uint32_t>(Scope::kConversion);
  k.created_at = created_at;
  return k;
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

// A click with every field set (as the click redirect stores one).
inline ClickRecord FullClick(std::string partner, std::string click_id) {
  ClickRecord c = Click(std::move(partner), std::move(click_id));
  c.tag_id = "pub_001";
  c.landing_url = "https://shop.example.com/landing?a=1";
  c.client_ip = "198.51.100.4";
  c.user_agent = "UA/2.0";
  c.referrer = "https://pub.example/";
  c.exp = 1779299000;  // created_at (1771523000 s) + 90 days
  c.source = "redirect";
  c.filter_reason = "prefetch";
  return c;
}

inline WriteOp ClickOp(std::vector<ClickRecord> clicks, bool dry_run = false) {
  WriteOp op;
  ClickWrite w;
  w.clicks = std::move(clicks);
  op.payload = std::move(w);
  op.dry_run = dry_run;
  return op;
}

inline const ClickWrite& Clicks(const WriteOp& op) { return std::get<ClickWrite>(op.payload); }

// Appends an op of `n` events of `partner` received at `at` to `keep` (which keeps it alive).
inline void AddEventsAt(const std::string& partner, int n, UnixMicros at,
                        std::vector<WriteOp>& keep) {
  std::vector<EventRecord> events;
  for (int i = 0; i < n; ++i) {
    EventRecord e =
        Event(partner, "tag", partner + "-" + std::to_string(at) + "-" + std::to_string(i));
    e.received_at = at;
    events.push_back(std::move(e));
  }
  keep.push_back(EventOp(std::move(events)));
}

}  // namespace thrad::test
