// SqliteStore: erasure (`erase`): one person's rows of one partner, deleted in short transactions
// while the server's writer goes on.
//
// The walk. Nothing indexes client_id, session_id or client_ip, and this adds no index: each one
// would cost every insert on the single writer a B-tree entry (the reason events lost their
// received_at index, 003_event_spans.sql) for a command run rarely. Instead the walk reads each
// table in key order, a step of batch_size rows at a time, every step its own read snapshot
// (WAL: it takes no lock the writer waits for, and no long snapshot keeps the WAL from being
// checkpointed), and deletes the step's matching rows by key in one short write transaction
// (BEGIN IMMEDIATE on a connection of its own, at most batch_size rows, matched again inside it)
// followed by a pause. So the writer waits at most for one such transaction, about a
// millisecond, never for the walk.
// - events and conversions: their rowid (`id`), in storage order, over the whole table: a
//   sequential read. The only index with partner_id in front, the unique key (partner_id, ...),
//   would fetch each of the partner's rows from the table in random order instead.
// - clicks (with an IP only): the partner's range of the primary key (partner_id, click_id), a
//   WITHOUT ROWID table, so only that partner's clicks are read.
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"

namespace thrad {
namespace {

// One table's walk: the step query's text, first step and later ones (?1 the cursor, ?2 the
// partner, ?3 and ?4 the values, ?5 the step's size; it answers each row's key and whether it
// matches), and the delete of one matching row by key (?1 the key, ?2 to ?4 as above, so a row
// is only deleted if it still matches).
struct Walk {
  std::string first_step;
  std::string next_step;
  std::string delete_one;
};

Walk EventsOrConversionsWalk(std::string_view table, std::string_view column) {
  const std::string t(table);
  const std::string match = "partner_id = ?2 AND " + std::string(column) + " IN (?3, ?4)";
  auto step = [&](const char* op) {
    return "SELECT id, " + match + " FROM " + t + " WHERE id " + op + " ?1 ORDER BY id LIMIT ?5";
  };
  return {step(">="), step(">"), "DELETE FROM " + t + " WHERE id = ?1 AND " + match};
}

Walk ClicksWalk() {
  auto step = [](const char* op) {
    return std::string(
               "SELECT click_id, client_ip IN (?3, ?4) FROM clicks WHERE partner_id = ?2 "
               "AND click_id ") +
           op + " ?1 ORDER BY click_id LIMIT ?5";
  };
  return {step(">="), step(">"),
          "DELETE FROM clicks WHERE partner_id = ?2 AND click_id = ?1 AND client_ip IN (?3, ?4)"};
}

int64_t KeyAt(const SqliteStatement& s, int64_t*) { return s.Int64(0); }
std::string KeyAt(const SqliteStatement& s, std::string*) { return s.Text(0); }

// Binds the parameters ?2 to ?4 shared by a walk's statements.
void BindMatch(SqliteStatement& s, const ErasureRequest& r,
               const std::vector<std::string>& values) {
  s.Bind(2, r.partner_id);
  s.Bind(3, values.front());
  s.Bind(4, values.back());
}

// Walks one table (see the top of the file) and returns how many rows it deleted (a dry run:
// how many match). `Key`: int64_t (a rowid, from 0) or std::string (a click id, from "").
template <typename Key>
Result<uint64_t> EraseFrom(SqliteDb& db, const Walk& walk, const ErasureRequest& r,
                           const std::vector<std::string>& values) {
  Key cursor{};
  bool first = true;
  uint64_t total = 0;
  for (;;) {
    std::vector<Key> hits;
    size_t seen = 0;
    {
      Result<SqliteStatement> step = db.Prepare(first ? walk.first_step : walk.next_step);
      if (!step.ok()) return step.status();
      step->Bind(1, cursor);
      BindMatch(*step, r, values);
      step->Bind(5, static_cast<int64_t>(r.batch_size));
      for (;;) {
        Result<bool> row = step->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        ++seen;
        cursor = KeyAt(*step, static_cast<Key*>(nullptr));
        if (step->Int64(1) != 0) hits.push_back(cursor);
      }
    }  // the statement is reset here: the step's read snapshot ends
    first = false;
    if (r.dry_run) {
      total += hits.size();
    } else if (!hits.empty()) {
      Status st = InWriteTransaction(db, [&]() -> Status {
        Result<SqliteStatement> del = db.Prepare(walk.delete_one);
        if (!del.ok()) return del.status();
        for (const Key& key : hits) {
          del->Reset();
          del->Bind(1, key);
          BindMatch(*del, r, values);
          THRAD_RETURN_IF_ERROR(del->Run());
          total += static_cast<uint64_t>(db.Changes());
        }
        return Status::Ok();
      });
      if (!st.ok()) return st;
      if (r.pause.count() > 0) std::this_thread::sleep_for(r.pause);
    }
    if (seen < r.batch_size) return total;
  }
}

}  // namespace

Result<ErasureCounts> SqliteStore::Erase(const ErasureRequest& request) {
  Result<std::vector<std::string>> values = ErasureMatchValues(request);
  if (!values.ok()) return values.status();
  std::lock_guard lock(maintenance_mu_);
  Result<SqliteDb*> conn = MaintenanceDb();
  if (!conn.ok()) return conn.status();
  SqliteDb& db = **conn;
  const std::string_view column = ErasureSelectedColumn(request.selector);
  ErasureCounts counts;
  auto failed = [&](const Status& st) {
    return Status(st.code(), "erase stopped after " + std::to_string(counts.events) + " events, " +
                                 std::to_string(counts.conversions) + " conversions and " +
                                 std::to_string(counts.clicks) + " clicks: " + st.message());
  };
  Result<uint64_t> n =
      EraseFrom<int64_t>(db, EventsOrConversionsWalk("events", column), request, *values);
  if (!n.ok()) return failed(n.status());
  counts.events = *n;
  n = EraseFrom<int64_t>(db, EventsOrConversionsWalk("conversions", column), request, *values);
  if (!n.ok()) return failed(n.status());
  counts.conversions = *n;
  if (request.selector == ErasureSelector::kIp) {
    n = EraseFrom<std::string>(db, ClicksWalk(), request, *values);
    if (!n.ok()) return failed(n.status());
    counts.clicks = *n;
  }
  return counts;
}

}  // namespace thrad
