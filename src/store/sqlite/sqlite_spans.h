#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/status.h"
#include "model/write_op.h"
#include "store/sqlite/sqlite_db.h"

namespace thrad {

// The event_spans side table (schema/sqlite/003_event_spans.sql): one row per write
// transaction that stored events, the span of events.id it used and bounds over those rows'
// received_at. It stands in for an index on events(received_at), which cost one entry per
// event on the writer's hot path.

// The events rows received at or after ?1 (a WHERE condition for export): ids from the
// first span that may hold one, so SQLite searches events by rowid range from there.
inline constexpr std::string_view kEventsReceivedSince =
    "id >= (SELECT min(first_id) FROM event_spans WHERE max_received_at >= ?1) "
    "AND received_at >= ?1";

// Deletes up to ?2 events received before ?1, lowest ids first, searching events by rowid up
// to the last span that may hold one. Run kDropUncoveredSpans after it.
inline constexpr std::string_view kDeleteEventsReceivedBefore =
    "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE id <= "
    "(SELECT max(last_id) FROM event_spans WHERE min_received_at < ?1) "
    "AND received_at < ?1 ORDER BY id LIMIT ?2)";

// Counts the events received before ?1, found the way kDeleteEventsReceivedBefore finds them.
inline constexpr std::string_view kCountEventsReceivedBefore =
    "SELECT count(*) FROM events WHERE id <= "
    "(SELECT max(last_id) FROM event_spans WHERE min_received_at < ?1) AND received_at < ?1";

// Deletes the spans wholly below the smallest remaining events.id (all of them when events
// is empty): they cover no row any more. Spans are disjoint and ascending with first_id <=
// last_id, so the redundant first_id bound makes this a rowid range search over just them.
inline constexpr std::string_view kDropUncoveredSpans =
    "WITH b(bound) AS (SELECT coalesce((SELECT min(id) FROM events), "
    "(SELECT max(last_id) FROM event_spans) + 1)) "
    "DELETE FROM event_spans WHERE first_id < (SELECT bound FROM b) "
    "AND last_id < (SELECT bound FROM b)";

// The events AUTOINCREMENT counter (0 before the first insert): every events.id stored after
// this read, in the same transaction, is greater. Call inside the write transaction.
Result<int64_t> EventIdSequence(SqliteDb& db);

// True when some op of `ops` may store events (an event op that is not a dry run), i.e. when
// the transaction needs EventIdSequence before and RecordEventSpan after its ops.
bool MayStoreEvents(std::span<WriteOp* const> ops);

// Adds the span of the events stored by `ops` (outcome kStored of ok, non-dry-run ops),
// their ids being in (`sequence_before`, EventIdSequence now]; adds nothing when none was
// stored. Call after every op was applied, inside the same write transaction as
// `sequence_before` was read in, before COMMIT. An error means the span is not recorded: the
// transaction must not commit.
Status RecordEventSpan(SqliteDb& db, std::span<WriteOp* const> ops, int64_t sequence_before);

}  // namespace thrad
