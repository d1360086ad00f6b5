// PostgresStore's fast path for batches of new events: one binary `COPY events FROM STDIN` (in
// a transaction with the upsert of its rollups), instead of `INSERT ... SELECT FROM unnest(...) ON
// CONFLICT DO NOTHING`.
//
// COPY cannot skip conflicting rows: a row whose (partner_id, tag_id, event_id) is stored
// already, or is being stored by another server's open transaction, fails the whole COPY with a
// unique violation (23505) and nothing of it is committed. The batch is then written again by
// the deduplicating INSERT (pg_write.cc), which decides every event exactly. So the answers are
// the same on both paths; COPY is only cheaper for PostgreSQL (no speculative insertion, no
// array parsing or RETURNING rows, and heap pages filled many rows at a time).
//
// Retries make conflicts come in runs, and a failed COPY leaves dead rows behind. So after a
// conflict the next commits that could conflict skip COPY: 16 of them, doubling with each
// conflict that follows a pause, up to 4096, and back to 16 after a COPY that succeeded. A
// batch in which no event has an event_id cannot conflict and always takes COPY.
#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "store/postgres/pg_copy.h"
#include "store/postgres/pg_identity.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_write_queries.h"
#include "store/record_columns.h"

namespace thrad {
namespace {

constexpr uint32_t kMinCopyPause = 16;
constexpr uint32_t kMaxCopyPause = 4096;

// One row of CopyEventsSql(): the columns of record_columns.h.
void AddEventRow(PgCopyData& data, const EventRecord& e) {
  static const auto fields = static_cast<uint16_t>(ColumnCount<EventRecord>());
  data.BeginRow(fields);
  ForEachColumn(e, [&data](std::string_view, const auto& value) { data.Add(value); });
}

// Only events to store: a conversion or a dry run needs the INSERT path's look-ups.
bool OnlyEventsToStore(std::span<WriteOp* const> ops) {
  return std::all_of(ops.begin(), ops.end(), [](const WriteOp* op) {
    return op->status.ok() && !op->dry_run && std::holds_alternative<EventWrite>(op->payload);
  });
}

// Whether any event has an event_id, the only column of a unique key that can be NULL: without
// one, no row of the batch can conflict with any other.
bool AnyEventId(std::span<WriteOp* const> ops) {
  return std::any_of(ops.begin(), ops.end(), [](const WriteOp* op) {
    const auto& events = std::get<EventWrite>(op->payload).events;
    return std::any_of(events.begin(), events.end(),
                       [](const EventRecord& e) { return e.event_id.has_value(); });
  });
}

}  // namespace

bool PostgresStore::ChooseCopy(std::span<WriteOp* const> ops) {
  if (!OnlyEventsToStore(ops)) return false;
  if (copy_skip_ > 0 && AnyEventId(ops)) {
    --copy_skip_;
    return false;
  }
  return true;
}

void PostgresStore::AfterCopy(bool conflicted) {
  if (!conflicted) {
    copies_.fetch_add(1, std::memory_order_relaxed);
    copy_pause_ = kMinCopyPause;
    return;
  }
  copy_conflicts_.fetch_add(1, std::memory_order_relaxed);
  copy_skip_ = copy_pause_;
  copy_pause_ = std::min(copy_pause_ * 2, kMaxCopyPause);
}

Status PostgresStore::CopyEvents(PgConn& conn, std::span<WriteOp* const> ops) {
  struct Row {
    const EventRecord* event;
    WriteOutcome* outcome;
  };
  std::vector<Row> rows;
  for (WriteOp* op : ops) {
    auto& w = std::get<EventWrite>(op->payload);
    w.outcomes.assign(w.events.size(), WriteOutcome::kPending);
    for (size_t i = 0; i < w.events.size(); ++i) rows.push_back({&w.events[i], &w.outcomes[i]});
  }
  auto key = [](const Row& r) { return EventKeyOf(*r.event); };
  SortInLockOrder(rows, key);
  // In lock order, events of one identity are next to each other among the keyed rows, the
  // earliest first (the sort is stable): the later ones are duplicates of it within the batch.
  PgCopyData data;
  std::vector<WriteOutcome*> copied;
  const Row* previous_keyed = nullptr;
  for (const Row& r : rows) {
    if (r.event->event_id) {
      if (previous_keyed && *key(*previous_keyed) == *key(r)) {
        *r.outcome = WriteOutcome::kDuplicate;
        continue;
      }
      previous_keyed = &r;
    }
    AddEventRow(data, *r.event);
    copied.push_back(r.outcome);
  }
  if (copied.empty()) return Status::Ok();
  // COPY and the rollups of its rows in one transaction.
  THRAD_RETURN_IF_ERROR(conn.ExecScript("BEGIN"));
  Result<PgResult> done = conn.CopyIn(CopyEventsSql(), std::move(data).Finish());
  if (!done.ok()) {
    // Back to no transaction; last_sqlstate() still tells a conflict (23505).
    if (conn.Usable()) (void)conn.ExecScript("ROLLBACK");
    return done.status();
  }
  for (WriteOutcome* outcome : copied) *outcome = WriteOutcome::kStored;
  Status st = CommitWithRollups(conn, ops);
  if (!st.ok()) {
    for (WriteOutcome* outcome : copied) *outcome = WriteOutcome::kPending;
  }
  return st;
}

Store::CopyStats PostgresStore::CopyCounters() const {
  return {copies_.load(std::memory_order_relaxed), copy_conflicts_.load(std::memory_order_relaxed)};
}

}  // namespace thrad
