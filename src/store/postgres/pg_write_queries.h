#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/write_op.h"
#include "store/postgres/pg_query.h"
#include "store/postgres/pg_result.h"

// The statements of PostgresStore's set-based batch write (pg_write.cc): each carries a whole
// batch in array parameters, one array per column (`unnest($1::text[], ...)`), and is prepared
// once per connection. Look-ups answer each record's 1-based position in the arrays (`ord`).
namespace thrad {

// One event of the batch and where its outcome goes.
struct EventSlot {
  const EventRecord* event;
  WriteOutcome* outcome;
};

// One click of the batch, where its outcome goes, and how the batch write decides it.
struct ClickSlot {
  ClickRecord* click;
  WriteOutcome* outcome;
  bool dry_run = false;
  bool leader = false;  // the batch's first click of its identity in an op that writes
};

// One conversion of the batch and its op.
struct ConvSlot {
  WriteOp* op;
  ConversionWrite* write;
};

// INSERT INTO events ... ON CONFLICT DO NOTHING RETURNING (partner_id, tag_id, event_id) of each
// row inserted.
PgQuery InsertEventsQuery(const std::vector<EventSlot>& slots);
// The positions (ord) of the events whose identity is stored.
PgQuery FindEventsQuery(const std::vector<EventSlot>& slots);
// INSERT INTO clicks ... ON CONFLICT DO NOTHING RETURNING (partner_id, click_id) of each row
// inserted.
PgQuery InsertClicksQuery(const std::vector<ClickSlot>& slots);
// (ord, then the columns of ColumnNames<ClickRecord>()) of the stored click with the identity of
// each slot, for those stored.
PgQuery FindStoredClicksQuery(const std::vector<ClickSlot>& slots);
// (ord, bid_id, campaign_id, clicked_at, tag_id) of each conversion whose click exists for its
// partner.
PgQuery FindConversionClicksQuery(const std::vector<ConvSlot>& slots);
// INSERT INTO conversions (slots[which...]) ... ON CONFLICT DO NOTHING RETURNING (partner_id,
// click_id, event_type, dedup_key) of each row inserted.
PgQuery InsertConversionsQuery(const std::vector<ConvSlot>& slots,
                               const std::vector<size_t>& which);
// (ord, conversion_time, value_micros, currency, order_id) of the stored conversion with the
// identity of slots[which[ord - 1]], for those stored.
PgQuery FindConversionsQuery(const std::vector<ConvSlot>& slots, const std::vector<size_t>& which);

// "COPY events(<columns>) FROM STDIN (FORMAT binary)" (pg_copy_events.cc), the same columns in
// the same order as InsertEventsQuery.
const std::string& CopyEventsSql();

// Ok when `commit`, the result of a COMMIT, committed (a COMMIT of a failed transaction answers
// "ROLLBACK").
Status CheckCommitted(const PgResult& commit);

}  // namespace thrad
