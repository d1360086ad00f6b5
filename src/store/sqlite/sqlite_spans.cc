#include "store/sqlite/sqlite_spans.h"

#include <algorithm>
#include <limits>
#include <string>
#include <variant>

namespace thrad {
namespace {

constexpr std::string_view kEventIdSequence =
    "SELECT seq FROM sqlite_sequence WHERE name = 'events'";

constexpr std::string_view kInsertSpan =
    "INSERT INTO event_spans(first_id, last_id, min_received_at, max_received_at) "
    "VALUES(?, ?, ?, ?)";

}  // namespace

Result<int64_t> EventIdSequence(SqliteDb& db) {
  Result<SqliteStatement> q = db.Prepare(kEventIdSequence);
  if (!q.ok()) return q.status();
  Result<bool> row = q->Step();
  if (!row.ok()) return row.status();
  return *row ? q->Int64(0) : int64_t{0};  // no row: events never had an insert
}

bool MayStoreEvents(std::span<WriteOp* const> ops) {
  return std::any_of(ops.begin(), ops.end(), [](const WriteOp* op) {
    return !op->dry_run && std::holds_alternative<EventWrite>(op->payload);
  });
}

Status RecordEventSpan(SqliteDb& db, std::span<WriteOp* const> ops, int64_t sequence_before) {
  int64_t min_received_at = std::numeric_limits<int64_t>::max();
  int64_t max_received_at = std::numeric_limits<int64_t>::min();
  bool stored = false;
  for (const WriteOp* op : ops) {
    const auto* w = std::get_if<EventWrite>(&op->payload);
    if (w == nullptr || op->dry_run || !op->status.ok()) continue;  // wrote no event
    for (size_t i = 0; i < w->events.size() && i < w->outcomes.size(); ++i) {
      if (w->outcomes[i] != WriteOutcome::kStored) continue;
      const int64_t at = w->events[i].received_at;
      min_received_at = std::min(min_received_at, at);
      max_received_at = std::max(max_received_at, at);
      stored = true;
    }
  }
  if (!stored) return Status::Ok();

  Result<int64_t> sequence_after = EventIdSequence(db);
  if (!sequence_after.ok()) return sequence_after.status();
  if (*sequence_after <= sequence_before) {
    return Status::Internal("events stored but their id sequence did not advance (" +
                            std::to_string(sequence_before) + " -> " +
                            std::to_string(*sequence_after) + ")");
  }
  Result<SqliteStatement> insert = db.Prepare(kInsertSpan);
  if (!insert.ok()) return insert.status();
  insert->Bind(1, sequence_before + 1);
  insert->Bind(2, *sequence_after);
  insert->Bind(3, min_received_at);
  insert->Bind(4, max_received_at);
  return insert->Run();
}

}  // namespace thrad
