// PostgresStore's batch write. Never one round trip per record: each kind of work is one
// set-based statement over arrays (pg_write_queries.h), and the statements of a phase are sent
// together in pipeline mode.
//
//   plan:    which events and clicks to insert or look up, which are decided already
//            (PlanBatch)
//   phase 1: BEGIN; INSERT events ... ON CONFLICT DO NOTHING RETURNING; INSERT clicks ... ON
//            CONFLICT DO NOTHING RETURNING; read back the batch's stored clicks; look-up of the
//            dry-run events; look-up of the conversions' clicks (which sees the clicks just
//            inserted) (WriteEventsAndClicks)
//   plan:    which conversions to insert, which follow an earlier one of their identity
//            (PlanConversions)
//   phase 2: INSERT conversions ... ON CONFLICT DO NOTHING RETURNING (InsertConversions)
//   commit:  the rollup counters of every row stored (store/rollup.h), appended to the pending
//            tables that the rollup folder moves into the rollups; COMMIT (CommitWithRollups)
//   phase 3: only when some conversion conflicted or is a dry run with a dedup key: read the
//            stored payloads of those identities and compare (after COMMIT: the winning rows
//            are committed and never change, so reading them later decides the same)
//            (CompareWithStored)
//
// Duplicates are decided exactly like the SQLite store: within the batch, the first record of
// an identity is the one inserted and later ones are duplicates of it (or payload mismatches);
// against other transactions, by the unique constraints. INSERT ... ON CONFLICT DO NOTHING
// waits for a concurrent transaction holding the same key and then skips, so two servers racing
// on one identity cannot both store it. A duplicate click is answered with the stored click,
// read back in the same transaction after the INSERT (whose snapshot is then new enough to see
// a racing server's row).
//
// Rows that can conflict are inserted in the global lock order of pg_identity.h: events, then
// clicks, then conversions, each sorted by its unique key.
#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "store/postgres/pg_identity.h"
#include "store/postgres/pg_refusals.h"
#include "store/postgres/pg_rollups.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_write_queries.h"
#include "store/record_columns.h"

namespace thrad {
namespace {

// What ApplyOps has decided about one batch so far. Indexes are into `convs`.
struct BatchPlan {
  std::vector<EventSlot> ev_insert;  // events to insert (sent in lock order)
  std::vector<EventSlot> ev_dry;     // dry-run events with an event_id: looked up
  std::vector<ClickSlot> cl_insert;  // the leaders: clicks to insert (sent in lock order)
  std::vector<ClickSlot> cl_find;    // every click, in batch order: its stored row is read back
  std::vector<ConvSlot> convs;       // every conversion of the batch
  std::vector<bool> click_ok;        // per conversion: its click exists and has a bid
  std::vector<size_t> to_insert;     // conversions to insert
  // (conversion, its identity's leader): a later conversion of an identity that an earlier
  // one of the batch inserts.
  std::vector<std::pair<size_t, size_t>> followers;
  std::vector<size_t> to_find;   // conversions whose identity's stored payload is needed
  std::vector<bool> conflicted;  // per conversion: its insert met a stored row
  std::vector<const RefusalWrite*> refusals;  // the diagnostics flush (pg_refusals.h)
};

// An op's kind in the lock order: events, then clicks, then conversions.
int KindRank(const WriteOp* op) {
  if (std::holds_alternative<EventWrite>(op->payload)) return 0;
  if (std::holds_alternative<ClickWrite>(op->payload)) return 1;
  if (std::holds_alternative<ConversionWrite>(op->payload)) return 2;
  return 3;  // the diagnostics flush: after every row of the batch
}

WriteOutcome Compare(const ConversionRecord& c, const ConversionPayload& stored) {
  return ConversionOutcome(stored, ConversionPayload::Of(c));
}

// Index of the next query appended to `q`.
int Push(std::vector<PgQuery>& q, PgQuery query) {
  q.push_back(std::move(query));
  return static_cast<int>(q.size()) - 1;
}

// Sends `q` in one pipeline; no round trip when it is empty.
Result<std::vector<PgResult>> RunPipeline(PgConn& conn, const std::vector<PgQuery>& q) {
  if (q.empty()) return std::vector<PgResult>();
  return conn.Pipeline(q);
}

// Sorts the batch's records: the events to insert and to look up, and every conversion. Decides
// now what needs no statement: a dry-run event without an event_id (stored) and a later event
// of an identity already in the batch (duplicate). Ops that failed already are left out.
BatchPlan PlanBatch(std::span<WriteOp* const> ops) {
  BatchPlan plan;
  std::unordered_set<std::string> ev_identities;  // of ev_insert's events with an event_id
  std::unordered_set<std::string> cl_identities;  // of cl_insert's clicks
  for (WriteOp* op : ops) {
    if (!op->status.ok()) continue;
    if (auto* c = std::get_if<ClickWrite>(&op->payload)) {
      c->outcomes.assign(c->clicks.size(), WriteOutcome::kPending);
      for (size_t i = 0; i < c->clicks.size(); ++i) {
        ClickSlot slot{&c->clicks[i], &c->outcomes[i], op->dry_run, false};
        if (!op->dry_run && cl_identities.insert(ClickIdentity(*slot.click)).second) {
          slot.leader = true;
          plan.cl_insert.push_back(slot);
        }
        plan.cl_find.push_back(slot);
      }
      continue;
    }
    if (const auto* r = std::get_if<RefusalWrite>(&op->payload)) {
      plan.refusals.push_back(r);
      continue;
    }
    auto* w = std::get_if<EventWrite>(&op->payload);
    if (w == nullptr) {
      plan.convs.push_back({op, &std::get<ConversionWrite>(op->payload)});
      continue;
    }
    w->outcomes.assign(w->events.size(), WriteOutcome::kPending);
    for (size_t i = 0; i < w->events.size(); ++i) {
      EventSlot slot{&w->events[i], &w->outcomes[i]};
      if (!slot.event->event_id.has_value()) {
        if (op->dry_run) {
          *slot.outcome = WriteOutcome::kStored;
        } else {
          plan.ev_insert.push_back(slot);
        }
      } else if (op->dry_run) {
        plan.ev_dry.push_back(slot);
      } else if (ev_identities.insert(EventIdentity(*slot.event)).second) {
        plan.ev_insert.push_back(slot);
      } else {
        *slot.outcome = WriteOutcome::kDuplicate;  // an earlier event of this batch has it
      }
    }
  }
  return plan;
}

// The events INSERT's answer: each event is stored unless its identity did not come back.
void ReadInsertedEvents(const PgResult& res, std::vector<EventSlot>& inserted) {
  if (static_cast<size_t>(res.Rows()) == inserted.size()) {
    for (EventSlot& s : inserted) *s.outcome = WriteOutcome::kStored;
    return;
  }
  std::unordered_set<std::string> stored;
  for (int row = 0; row < res.Rows(); ++row) {
    if (res.IsNull(row, 2)) continue;
    stored.insert(Identity({res.Str(row, 0), res.Str(row, 1), res.Str(row, 2)}));
  }
  for (EventSlot& s : inserted) {
    const bool new_row = !s.event->event_id || stored.contains(EventIdentity(*s.event));
    *s.outcome = new_row ? WriteOutcome::kStored : WriteOutcome::kDuplicate;
  }
}

// The dry-run look-up's answer: the positions of the events already stored.
void ReadStoredEvents(const PgResult& res, std::vector<EventSlot>& dry) {
  for (EventSlot& s : dry) *s.outcome = WriteOutcome::kStored;
  for (int row = 0; row < res.Rows(); ++row) {
    *dry[res.Int64(row, 0) - 1].outcome = WriteOutcome::kDuplicate;
  }
}

// The clicks INSERT's and read-back's answers: a leader whose identity came back is stored;
// every other click of an op that writes is a duplicate (of a click stored before or of its
// leader) and a dry-run click is one when a click of its identity is stored. A duplicate is
// answered with the stored click. Internal when a click that conflicted has no stored row (it
// cannot happen: the conflicting row was committed or is this transaction's).
Status ReadClickResults(const PgResult* inserted, const PgResult& found, BatchPlan& plan) {
  const bool all = inserted && static_cast<size_t>(inserted->Rows()) == plan.cl_insert.size();
  std::unordered_set<std::string> stored;
  for (int row = 0; inserted && !all && row < inserted->Rows(); ++row) {
    stored.insert(Identity({inserted->Str(row, 0), inserted->Str(row, 1)}));
  }
  std::vector<int> rows(plan.cl_find.size(), -1);  // per cl_find slot: its row in `found`
  for (int row = 0; row < found.Rows(); ++row) {
    rows[static_cast<size_t>(found.Int64(row, 0) - 1)] = row;
  }
  for (size_t i = 0; i < plan.cl_find.size(); ++i) {
    ClickSlot& s = plan.cl_find[i];
    if (s.leader && (all || stored.contains(ClickIdentity(*s.click)))) {
      *s.outcome = WriteOutcome::kStored;
      continue;
    }
    if (rows[i] < 0) {
      if (!s.dry_run)
        return Status::Internal("click insert conflicted but no stored click was found");
      *s.outcome = WriteOutcome::kStored;
      continue;
    }
    *s.click = ReadClickColumns(PgRow(found, rows[i]), 1);
    *s.outcome = WriteOutcome::kDuplicate;
  }
  return Status::Ok();
}

// The conversions' clicks look-up's answer: each conversion's click ownership, bid, campaign
// and click time.
void ReadConversionClicks(const PgResult& res, BatchPlan& plan) {
  plan.click_ok.assign(plan.convs.size(), false);
  for (ConvSlot& s : plan.convs) s.write->outcome = WriteOutcome::kClickNotFound;
  for (int row = 0; row < res.Rows(); ++row) {
    const size_t idx = static_cast<size_t>(res.Int64(row, 0) - 1);
    ConversionWrite& w = *plan.convs[idx].write;
    if (res.IsNull(row, 1)) {
      w.outcome = WriteOutcome::kClickMissingBid;
      continue;
    }
    w.outcome = WriteOutcome::kPending;
    w.conversion.bid_id = res.Str(row, 1);
    w.conversion.campaign_id = res.OptText(row, 2);
    w.conversion.click_time = res.Int64(row, 3);
    w.conversion.click_tag_id = res.OptText(row, 4);
    plan.click_ok[idx] = true;
  }
}

// Phase 1. Fills every event's and click's outcome and, with conversions, plan.click_ok.
Status WriteEventsAndClicks(PgConn& conn, BatchPlan& plan, bool own_tx) {
  std::vector<PgQuery> q;
  int at_insert = -1, at_dry = -1, at_cl_insert = -1, at_cl_find = -1, at_clicks = -1;
  if (own_tx) Push(q, {"BEGIN", {}});
  SortInLockOrder(plan.ev_insert, [](const EventSlot& s) { return EventKeyOf(*s.event); });
  SortInLockOrder(plan.cl_insert, [](const ClickSlot& s) { return ClickKeyOf(*s.click); });
  if (!plan.ev_insert.empty()) at_insert = Push(q, InsertEventsQuery(plan.ev_insert));
  if (!plan.cl_insert.empty()) at_cl_insert = Push(q, InsertClicksQuery(plan.cl_insert));
  if (!plan.cl_find.empty()) at_cl_find = Push(q, FindStoredClicksQuery(plan.cl_find));
  if (!plan.ev_dry.empty()) at_dry = Push(q, FindEventsQuery(plan.ev_dry));
  if (!plan.convs.empty()) at_clicks = Push(q, FindConversionClicksQuery(plan.convs));
  Result<std::vector<PgResult>> results = RunPipeline(conn, q);
  if (!results.ok()) return results.status();
  if (at_insert >= 0) ReadInsertedEvents((*results)[at_insert], plan.ev_insert);
  if (at_cl_find >= 0) {
    const PgResult* inserted = at_cl_insert >= 0 ? &(*results)[at_cl_insert] : nullptr;
    THRAD_RETURN_IF_ERROR(ReadClickResults(inserted, (*results)[at_cl_find], plan));
  }
  if (at_dry >= 0) ReadStoredEvents((*results)[at_dry], plan.ev_dry);
  if (at_clicks >= 0) ReadConversionClicks((*results)[at_clicks], plan);
  return Status::Ok();
}

// Of the conversions whose click is theirs: who is inserted, who follows an earlier conversion
// of the batch with its identity, and whose stored payload is needed (dry runs with a dedup
// key). A conversion without a dedup key never conflicts: a dry run of one is stored.
void PlanConversions(BatchPlan& plan) {
  std::unordered_map<std::string, size_t> leaders;  // identity -> first inserting conversion
  for (size_t idx = 0; idx < plan.convs.size(); ++idx) {
    if (!plan.click_ok[idx]) continue;
    ConversionWrite& w = *plan.convs[idx].write;
    const bool dry_run = plan.convs[idx].op->dry_run;
    if (!w.conversion.dedup_key.has_value()) {
      if (dry_run) {
        w.outcome = WriteOutcome::kStored;
      } else {
        plan.to_insert.push_back(idx);
      }
    } else if (dry_run) {
      plan.to_find.push_back(idx);
    } else {
      auto [it, first] = leaders.emplace(ConversionIdentity(w.conversion), idx);
      if (first) {
        plan.to_insert.push_back(idx);
      } else {
        plan.followers.emplace_back(idx, it->second);
      }
    }
  }
}

// The conversions INSERT's answer: stored, or conflicted with a stored row (then its payload
// is needed).
void ReadInsertedConversions(const PgResult& res, BatchPlan& plan) {
  std::unordered_set<std::string> stored;
  const bool all = static_cast<size_t>(res.Rows()) == plan.to_insert.size();
  if (!all) {
    for (int row = 0; row < res.Rows(); ++row) {
      if (res.IsNull(row, 3)) continue;
      stored.insert(Identity({res.Str(row, 0), res.Str(row, 1), res.Str(row, 2), res.Str(row, 3)}));
    }
  }
  for (size_t idx : plan.to_insert) {
    const ConversionRecord& c = plan.convs[idx].write->conversion;
    if (all || !c.dedup_key || stored.contains(ConversionIdentity(c))) {
      plan.convs[idx].write->outcome = WriteOutcome::kStored;
    } else {
      plan.conflicted[idx] = true;
      plan.to_find.push_back(idx);
    }
  }
}

// Phase 2. Decides the inserted conversions and the followers of a stored leader; the others
// are left to phase 3.
Status InsertConversions(PgConn& conn, BatchPlan& plan) {
  std::vector<PgQuery> q;
  int at_insert = -1;
  SortInLockOrder(plan.to_insert, [&plan](size_t idx) {
    return ConversionKeyOf(plan.convs[idx].write->conversion);
  });
  if (!plan.to_insert.empty()) {
    at_insert = Push(q, InsertConversionsQuery(plan.convs, plan.to_insert));
  }
  Result<std::vector<PgResult>> results = RunPipeline(conn, q);
  if (!results.ok()) return results.status();
  plan.conflicted.assign(plan.convs.size(), false);
  if (at_insert >= 0) ReadInsertedConversions((*results)[at_insert], plan);
  // Followers of a stored leader compare with it; the others need the stored row.
  for (auto [idx, leader] : plan.followers) {
    if (!plan.conflicted[leader]) {
      const ConversionRecord& first = plan.convs[leader].write->conversion;
      plan.convs[idx].write->outcome =
          Compare(plan.convs[idx].write->conversion, ConversionPayload::Of(first));
    }
  }
  return Status::Ok();
}

// Phase 3's answer: each conversion of plan.to_find, and each follower of a conflicted leader,
// compared with the stored payload of its identity (`stored`, per conversion).
void DecideFromStored(BatchPlan& plan,
                      const std::vector<std::optional<ConversionPayload>>& stored) {
  const Status lost =
      Status::Internal("conversion insert conflicted but no existing row was found");
  for (size_t idx : plan.to_find) {
    ConversionWrite& w = *plan.convs[idx].write;
    if (stored[idx]) {
      w.outcome = Compare(w.conversion, *stored[idx]);
    } else if (plan.convs[idx].op->dry_run) {
      w.outcome = WriteOutcome::kStored;
    } else {
      w.outcome = WriteOutcome::kPending;
      plan.convs[idx].op->status = lost;
    }
  }
  for (auto [idx, leader] : plan.followers) {
    if (!plan.conflicted[leader]) continue;
    if (stored[leader]) {
      plan.convs[idx].write->outcome = Compare(plan.convs[idx].write->conversion, *stored[leader]);
    } else {
      plan.convs[idx].op->status = lost;
    }
  }
}

// Phase 3: reads the stored payloads of plan.to_find's identities and decides the rest.
Status CompareWithStored(PgConn& conn, BatchPlan& plan, bool own_tx) {
  Result<PgResult> found = conn.Exec(FindConversionsQuery(plan.convs, plan.to_find));
  if (!found.ok()) {
    if (!own_tx) return found.status();  // inside a transaction: the caller rolls back
    // Committed already; only the ops still undecided fail (nothing of theirs was written).
    const Status failed = Status::Unavailable(found.status().message());
    for (size_t idx : plan.to_find) plan.convs[idx].op->status = failed;
    for (auto [idx, leader] : plan.followers) {
      if (plan.conflicted[leader]) plan.convs[idx].op->status = failed;
    }
    return Status::Ok();
  }
  std::vector<std::optional<ConversionPayload>> stored(plan.convs.size());
  for (int row = 0; row < found->Rows(); ++row) {
    const size_t idx = plan.to_find[static_cast<size_t>(found->Int64(row, 0) - 1)];
    ConversionPayload& p = stored[idx].emplace();
    p.conversion_time = found->Int64(row, 1);
    p.value_micros = found->Int64(row, 2);
    p.currency = found->Str(row, 3);
    p.order_id = found->OptText(row, 4);
    p.from_tag = found->Str(row, 5).empty();
  }
  DecideFromStored(plan, stored);
  return Status::Ok();
}

}  // namespace

Status PostgresStore::WriteTogether(PgConn& conn, std::span<WriteOp* const> ops) {
  if (ChooseCopy(ops)) {
    Status st = CopyEvents(conn, ops);
    const bool conflicted = !st.ok() && conn.last_sqlstate() == "23505" && conn.Usable();
    if (st.ok() || conflicted) AfterCopy(conflicted);
    if (!conflicted) return st;
    for (WriteOp* op : ops) op->ResetOutcomes();  // nothing was written: decide it all again
  }
  return ApplyOps(conn, ops, /*own_transaction=*/true);
}

Status PostgresStore::WriteIsolated(PgConn& conn, std::span<WriteOp* const> ops) {
  THRAD_RETURN_IF_ERROR(conn.ExecScript("BEGIN"));
  // Op by op, kind by kind in the lock order (so a conversion also finds a click of the same
  // batch), each kind in batch order.
  std::vector<WriteOp*> ordered(ops.begin(), ops.end());
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const WriteOp* a, const WriteOp* b) { return KindRank(a) < KindRank(b); });
  for (WriteOp* op : ordered) {
    Status st = conn.ExecScript("SAVEPOINT op");
    if (st.ok()) st = ApplyOps(conn, std::span<WriteOp* const>(&op, 1), false);
    if (st.ok()) st = conn.ExecScript("RELEASE SAVEPOINT op");
    if (st.ok()) continue;
    if (!conn.Usable() || st.code() == StatusCode::kUnavailable) return st;  // batch lost
    THRAD_RETURN_IF_ERROR(conn.ExecScript("ROLLBACK TO SAVEPOINT op"));
    op->ResetOutcomes();
    op->status = Status::Internal("store: " + st.ToString());
  }
  return CommitWithRollups(conn, ops);
}

Status PostgresStore::ApplyOps(PgConn& conn, std::span<WriteOp* const> ops, bool own_tx) {
  BatchPlan plan = PlanBatch(ops);
  THRAD_RETURN_IF_ERROR(WriteEventsAndClicks(conn, plan, own_tx));
  if (!plan.convs.empty()) {
    PlanConversions(plan);
    THRAD_RETURN_IF_ERROR(InsertConversions(conn, plan));
  }
  if (!plan.refusals.empty()) {
    Result<std::vector<PgResult>> done = RunPipeline(conn, RefusalWriteQueries(plan.refusals));
    if (!done.ok()) return done.status();
  }
  // Every stored row is decided now (phase 3 decides only rows that were not stored).
  if (own_tx) THRAD_RETURN_IF_ERROR(CommitWithRollups(conn, ops));
  if (plan.to_find.empty()) return Status::Ok();
  return CompareWithStored(conn, plan, own_tx);
}

Status PostgresStore::CommitWithRollups(PgConn& conn, std::span<WriteOp* const> ops) {
  RollupDelta delta;
  AddStoredToRollups(ops, delta);
  std::vector<PgQuery> q = PendingRollupQueries(delta);  // folded later: FoldPendingRollups
  q.push_back({"COMMIT", {}});
  Result<std::vector<PgResult>> results = conn.Pipeline(q);
  if (!results.ok()) return results.status();
  return CheckCommitted(results->back());
}

}  // namespace thrad
