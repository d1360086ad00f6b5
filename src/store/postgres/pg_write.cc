// PostgresStore's batch write. Never one round trip per record: each kind of work is one
// set-based statement over arrays (`unnest($1::text[], ...)`), and the statements of a phase
// are sent together in pipeline mode.
//
//   phase 1: BEGIN; INSERT events ... ON CONFLICT DO NOTHING RETURNING; look-up of the dry-run
//            events; look-up of the conversions' clicks; COMMIT when there are no conversions
//   phase 2: INSERT conversions ... ON CONFLICT DO NOTHING RETURNING; COMMIT
//   phase 3: only when some conversion conflicted or is a dry run with a dedup key: read the
//            stored payloads of those identities and compare (after COMMIT: the winning rows
//            are committed and never change, so reading them later decides the same).
//
// Duplicates are decided exactly like the SQLite store: within the batch, the first record of
// an identity is the one inserted and later ones are duplicates of it (or payload mismatches);
// against other transactions, by the unique constraints. INSERT ... ON CONFLICT DO NOTHING
// waits for a concurrent transaction holding the same key and then skips, so two servers racing
// on one identity cannot both store it.
#include <array>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "store/postgres/pg_identity.h"
#include "store/postgres/pg_store.h"

namespace thrad {
namespace {

constexpr char kInsertEvents[] =
    "INSERT INTO events(partner_id, key_id, event_name, tag_id, event_id, \"timestamp\", "
    "page_url, referrer, user_agent, session_id, client_id, attribution_type, impression_id, "
    "click_id, bid_id, impression_state, view_time_ms, consent_json, params_json, channel, "
    "client_ip, received_at) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
    "$6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], "
    "$13::text[], $14::text[], $15::text[], $16::text[], $17::bigint[], $18::text[], "
    "$19::text[], $20::text[], $21::text[], $22::bigint[]) "
    "ON CONFLICT (partner_id, tag_id, event_id) DO NOTHING "
    "RETURNING partner_id, tag_id, event_id";

constexpr char kFindEvents[] =
    "SELECT k.ord FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY "
    "AS k(partner_id, tag_id, event_id, ord) WHERE EXISTS (SELECT 1 FROM events e "
    "WHERE e.partner_id = k.partner_id AND e.tag_id = k.tag_id AND e.event_id = k.event_id)";

constexpr char kFindClicks[] =
    "SELECT k.ord, c.bid_id, c.campaign_id FROM unnest($1::text[], $2::text[]) WITH ORDINALITY "
    "AS k(partner_id, click_id, ord) JOIN clicks c "
    "ON c.partner_id = k.partner_id AND c.click_id = k.click_id";

constexpr char kInsertConversions[] =
    "INSERT INTO conversions(partner_id, key_id, click_id, bid_id, campaign_id, "
    "conversion_time, value_micros, currency, event_type, order_id, event_id, tag_id, "
    "session_id, client_id, page_url, referrer, user_agent, dedup_key, dedup_source, "
    "params_json, client_ip, received_at) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
    "$6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], "
    "$13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], "
    "$20::text[], $21::text[], $22::bigint[]) "
    "ON CONFLICT (partner_id, click_id, event_type, dedup_key) DO NOTHING "
    "RETURNING partner_id, click_id, event_type, dedup_key";

constexpr char kFindConversions[] =
    "SELECT k.ord, c.conversion_time, c.value_micros, c.currency, c.order_id "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY "
    "AS k(partner_id, click_id, event_type, dedup_key, ord) JOIN conversions c "
    "ON c.partner_id = k.partner_id AND c.click_id = k.click_id "
    "AND c.event_type = k.event_type AND c.dedup_key = k.dedup_key";

std::string ConversionIdentity(const ConversionRecord& c) {
  return Identity({c.partner_id, c.click_id, c.event_type, *c.dedup_key});
}

// A prepared statement's name for its SQL text (pg_write's statements are constants).
std::string StatementName(const char* sql) {
  if (sql == kInsertEvents) return "thrad_insert_events";
  if (sql == kFindEvents) return "thrad_find_events";
  if (sql == kFindClicks) return "thrad_find_clicks";
  if (sql == kInsertConversions) return "thrad_insert_conversions";
  return "thrad_find_conversions";
}

template <size_t N>
PgQuery ArrayQuery(const char* sql, std::array<PgArray, N>& columns) {
  PgQuery q{sql, {}, StatementName(sql)};
  q.params.reserve(N);
  for (PgArray& c : columns) q.params.emplace_back(std::move(c).Finish());
  return q;
}

struct EventSlot {
  const EventRecord* event;
  WriteOutcome* outcome;
};

PgQuery InsertEventsQuery(const std::vector<EventSlot>& slots) {
  std::array<PgArray, 22> col;
  for (const EventSlot& s : slots) {
    const EventRecord& e = *s.event;
    size_t i = 0;
    col[i++].Add(e.partner_id);
    col[i++].Add(e.key_id);
    col[i++].Add(e.event_name);
    col[i++].Add(e.tag_id);
    col[i++].Add(e.event_id);
    col[i++].Add(e.timestamp);
    col[i++].Add(e.page_url);
    col[i++].Add(e.referrer);
    col[i++].Add(e.user_agent);
    col[i++].Add(e.session_id);
    col[i++].Add(e.client_id);
    col[i++].Add(e.attribution_type);
    col[i++].Add(e.impression_id);
    col[i++].Add(e.click_id);
    col[i++].Add(e.bid_id);
    col[i++].Add(e.impression_state);
    col[i++].Add(e.view_time_ms);
    col[i++].Add(e.consent_json);
    col[i++].Add(e.params_json);
    col[i++].Add(e.channel);
    col[i++].Add(e.client_ip);
    col[i++].Add(int64_t{e.received_at});
  }
  return ArrayQuery(kInsertEvents, col);
}

PgQuery FindEventsQuery(const std::vector<EventSlot>& slots) {
  std::array<PgArray, 3> col;
  for (const EventSlot& s : slots) {
    col[0].Add(s.event->partner_id);
    col[1].Add(s.event->tag_id);
    col[2].Add(s.event->event_id);
  }
  return ArrayQuery(kFindEvents, col);
}

struct ConvSlot {
  WriteOp* op;
  ConversionWrite* write;
};

PgQuery FindClicksQuery(const std::vector<ConvSlot>& slots) {
  std::array<PgArray, 2> col;
  for (const ConvSlot& s : slots) {
    col[0].Add(s.write->conversion.partner_id);
    col[1].Add(s.write->conversion.click_id);
  }
  return ArrayQuery(kFindClicks, col);
}

PgQuery InsertConversionsQuery(const std::vector<ConvSlot>& slots,
                               const std::vector<size_t>& which) {
  std::array<PgArray, 22> col;
  for (size_t idx : which) {
    const ConversionRecord& c = slots[idx].write->conversion;
    size_t i = 0;
    col[i++].Add(c.partner_id);
    col[i++].Add(c.key_id);
    col[i++].Add(c.click_id);
    col[i++].Add(c.bid_id);
    col[i++].Add(c.campaign_id);
    col[i++].Add(int64_t{c.conversion_time});
    col[i++].Add(c.value_micros);
    col[i++].Add(c.currency);
    col[i++].Add(c.event_type);
    col[i++].Add(c.order_id);
    col[i++].Add(c.event_id);
    col[i++].Add(c.tag_id);
    col[i++].Add(c.session_id);
    col[i++].Add(c.client_id);
    col[i++].Add(c.page_url);
    col[i++].Add(c.referrer);
    col[i++].Add(c.user_agent);
    col[i++].Add(c.dedup_key);
    col[i++].Add(DedupSourceName(c.dedup_source));
    col[i++].Add(c.params_json);
    col[i++].Add(c.client_ip);
    col[i++].Add(int64_t{c.received_at});
  }
  return ArrayQuery(kInsertConversions, col);
}

PgQuery FindConversionsQuery(const std::vector<ConvSlot>& slots, const std::vector<size_t>& which) {
  std::array<PgArray, 4> col;
  for (size_t idx : which) {
    const ConversionRecord& c = slots[idx].write->conversion;
    col[0].Add(c.partner_id);
    col[1].Add(c.click_id);
    col[2].Add(c.event_type);
    col[3].Add(c.dedup_key);
  }
  return ArrayQuery(kFindConversions, col);
}

WriteOutcome Compare(const ConversionRecord& c, const ConversionPayload& stored) {
  return stored == ConversionPayload::Of(c) ? WriteOutcome::kDuplicate
                                            : WriteOutcome::kPayloadMismatch;
}

Status CheckCommitted(const PgResult& commit) {
  if (commit.CommandTag() == "COMMIT") return Status::Ok();
  return Status::Internal("PostgreSQL: transaction rolled back at COMMIT");
}

// Index of the next query appended to `q`.
int Push(std::vector<PgQuery>& q, PgQuery query) {
  q.push_back(std::move(query));
  return static_cast<int>(q.size()) - 1;
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
  for (WriteOp* op : ops) {
    Status st = conn.ExecScript("SAVEPOINT op");
    if (st.ok()) st = ApplyOps(conn, std::span<WriteOp* const>(&op, 1), false);
    if (st.ok()) st = conn.ExecScript("RELEASE SAVEPOINT op");
    if (st.ok()) continue;
    if (!conn.Usable() || st.code() == StatusCode::kUnavailable) return st;  // batch lost
    THRAD_RETURN_IF_ERROR(conn.ExecScript("ROLLBACK TO SAVEPOINT op"));
    op->ResetOutcomes();
    op->status = Status::Internal("store: " + st.ToString());
  }
  Result<PgResult> commit = conn.Exec("COMMIT");
  if (!commit.ok()) return commit.status();
  return CheckCommitted(*commit);
}

Status PostgresStore::ApplyOps(PgConn& conn, std::span<WriteOp* const> ops, bool own_tx) {
  // ---- Plan: what to insert, what to look up, and what is decided already.
  std::vector<EventSlot> ev_insert;
  std::vector<EventSlot> ev_dry;
  std::unordered_set<std::string> ev_identities;  // of ev_insert's events with an event_id
  std::vector<ConvSlot> convs;
  for (WriteOp* op : ops) {
    if (!op->status.ok()) continue;
    if (auto* w = std::get_if<EventWrite>(&op->payload)) {
      w->outcomes.assign(w->events.size(), WriteOutcome::kPending);
      for (size_t i = 0; i < w->events.size(); ++i) {
        EventSlot slot{&w->events[i], &w->outcomes[i]};
        if (!slot.event->event_id.has_value()) {
          if (op->dry_run) {
            *slot.outcome = WriteOutcome::kStored;
          } else {
            ev_insert.push_back(slot);
          }
        } else if (op->dry_run) {
          ev_dry.push_back(slot);
        } else if (ev_identities.insert(EventIdentity(*slot.event)).second) {
          ev_insert.push_back(slot);
        } else {
          *slot.outcome = WriteOutcome::kDuplicate;  // an earlier event of this batch has it
        }
      }
    } else {
      convs.push_back({op, &std::get<ConversionWrite>(op->payload)});
    }
  }

  // ---- Phase 1: events and the conversions' clicks.
  std::vector<PgQuery> q;
  int at_insert = -1, at_dry = -1, at_clicks = -1, at_commit = -1;
  if (own_tx) Push(q, {"BEGIN", {}});
  SortInLockOrder(ev_insert, [](const EventSlot& s) { return EventKeyOf(*s.event); });
  if (!ev_insert.empty()) at_insert = Push(q, InsertEventsQuery(ev_insert));
  if (!ev_dry.empty()) at_dry = Push(q, FindEventsQuery(ev_dry));
  if (!convs.empty()) at_clicks = Push(q, FindClicksQuery(convs));
  if (own_tx && convs.empty()) at_commit = Push(q, {"COMMIT", {}});
  std::vector<PgResult> results;
  if (!q.empty()) {
    Result<std::vector<PgResult>> r = conn.Pipeline(q);
    if (!r.ok()) return r.status();
    results = std::move(r).value();
  }
  if (at_commit >= 0) THRAD_RETURN_IF_ERROR(CheckCommitted(results[at_commit]));

  if (at_insert >= 0) {
    const PgResult& res = results[at_insert];
    if (static_cast<size_t>(res.Rows()) == ev_insert.size()) {
      for (EventSlot& s : ev_insert) *s.outcome = WriteOutcome::kStored;
    } else {
      std::unordered_set<std::string> stored;
      for (int row = 0; row < res.Rows(); ++row) {
        if (res.IsNull(row, 2)) continue;
        stored.insert(Identity({res.Str(row, 0), res.Str(row, 1), res.Str(row, 2)}));
      }
      for (EventSlot& s : ev_insert) {
        const bool new_row = !s.event->event_id || stored.contains(EventIdentity(*s.event));
        *s.outcome = new_row ? WriteOutcome::kStored : WriteOutcome::kDuplicate;
      }
    }
  }
  if (at_dry >= 0) {
    for (EventSlot& s : ev_dry) *s.outcome = WriteOutcome::kStored;
    const PgResult& res = results[at_dry];
    for (int row = 0; row < res.Rows(); ++row) {
      *ev_dry[res.Int64(row, 0) - 1].outcome = WriteOutcome::kDuplicate;
    }
  }
  if (convs.empty()) return Status::Ok();

  // ---- Conversions: click ownership, then who is inserted and who follows whom.
  std::vector<bool> click_ok(convs.size(), false);
  {
    const PgResult& res = results[at_clicks];
    for (ConvSlot& s : convs) s.write->outcome = WriteOutcome::kClickNotFound;
    for (int row = 0; row < res.Rows(); ++row) {
      const size_t idx = static_cast<size_t>(res.Int64(row, 0) - 1);
      ConversionWrite& w = *convs[idx].write;
      if (res.IsNull(row, 1)) {
        w.outcome = WriteOutcome::kClickMissingBid;
        continue;
      }
      w.outcome = WriteOutcome::kPending;
      w.conversion.bid_id = res.Str(row, 1);
      w.conversion.campaign_id = res.OptText(row, 2);
      click_ok[idx] = true;
    }
  }
  std::vector<size_t> to_insert;
  std::vector<std::pair<size_t, size_t>> followers;  // (conversion, its identity's leader)
  std::vector<size_t> to_find;                       // identities whose stored payload we need
  std::unordered_map<std::string, size_t> leaders;   // identity -> first inserting conversion
  for (size_t idx = 0; idx < convs.size(); ++idx) {
    if (!click_ok[idx]) continue;
    ConversionWrite& w = *convs[idx].write;
    if (!w.conversion.dedup_key.has_value()) {
      if (convs[idx].op->dry_run) {
        w.outcome = WriteOutcome::kStored;
      } else {
        to_insert.push_back(idx);
      }
    } else if (convs[idx].op->dry_run) {
      to_find.push_back(idx);
    } else {
      auto [it, first] = leaders.emplace(ConversionIdentity(w.conversion), idx);
      if (first) {
        to_insert.push_back(idx);
      } else {
        followers.emplace_back(idx, it->second);
      }
    }
  }

  // ---- Phase 2: insert and commit.
  q.clear();
  int at_cinsert = -1;
  at_commit = -1;
  SortInLockOrder(to_insert, [&convs](size_t idx) {
    const ConversionRecord& c = convs[idx].write->conversion;
    using Key = std::tuple<std::string_view, std::string_view, std::string_view, std::string_view>;
    if (!c.dedup_key) return std::optional<Key>();
    return std::optional<Key>(Key(c.partner_id, c.click_id, c.event_type, *c.dedup_key));
  });
  if (!to_insert.empty()) at_cinsert = Push(q, InsertConversionsQuery(convs, to_insert));
  if (own_tx) at_commit = Push(q, {"COMMIT", {}});
  results.clear();
  if (!q.empty()) {
    Result<std::vector<PgResult>> r = conn.Pipeline(q);
    if (!r.ok()) return r.status();
    results = std::move(r).value();
  }
  if (at_commit >= 0) THRAD_RETURN_IF_ERROR(CheckCommitted(results[at_commit]));
  std::vector<bool> conflicted(convs.size(), false);
  if (at_cinsert >= 0) {
    const PgResult& res = results[at_cinsert];
    std::unordered_set<std::string> stored;
    const bool all = static_cast<size_t>(res.Rows()) == to_insert.size();
    if (!all) {
      for (int row = 0; row < res.Rows(); ++row) {
        if (res.IsNull(row, 3)) continue;
        stored.insert(
            Identity({res.Str(row, 0), res.Str(row, 1), res.Str(row, 2), res.Str(row, 3)}));
      }
    }
    for (size_t idx : to_insert) {
      const ConversionRecord& c = convs[idx].write->conversion;
      if (all || !c.dedup_key || stored.contains(ConversionIdentity(c))) {
        convs[idx].write->outcome = WriteOutcome::kStored;
      } else {
        conflicted[idx] = true;
        to_find.push_back(idx);
      }
    }
  }
  // Followers of a stored leader compare with it; the others need the stored row.
  for (auto [idx, leader] : followers) {
    if (!conflicted[leader]) {
      const ConversionRecord& first = convs[leader].write->conversion;
      convs[idx].write->outcome =
          Compare(convs[idx].write->conversion, ConversionPayload::Of(first));
    }
  }
  if (to_find.empty()) return Status::Ok();

  // ---- Phase 3: the stored payloads of conflicting and dry-run identities.
  Result<PgResult> found = conn.Exec(FindConversionsQuery(convs, to_find));
  if (!found.ok()) {
    if (!own_tx) return found.status();  // inside a transaction: the caller rolls back
    // Committed already; only the ops still undecided fail (nothing of theirs was written).
    for (size_t idx : to_find)
      convs[idx].op->status = Status::Unavailable(found.status().message());
    for (auto [idx, leader] : followers) {
      if (conflicted[leader]) convs[idx].op->status = Status::Unavailable(found.status().message());
    }
    return Status::Ok();
  }
  std::vector<std::optional<ConversionPayload>> stored(convs.size());
  for (int row = 0; row < found->Rows(); ++row) {
    const size_t idx = to_find[static_cast<size_t>(found->Int64(row, 0) - 1)];
    stored[idx] = ConversionPayload{found->Int64(row, 1), found->Int64(row, 2), found->Str(row, 3),
                                    found->OptText(row, 4)};
  }
  for (size_t idx : to_find) {
    ConversionWrite& w = *convs[idx].write;
    if (stored[idx]) {
      w.outcome = Compare(w.conversion, *stored[idx]);
    } else if (convs[idx].op->dry_run) {
      w.outcome = WriteOutcome::kStored;
    } else {
      w.outcome = WriteOutcome::kPending;
      convs[idx].op->status =
          Status::Internal("conversion insert conflicted but no existing row was found");
    }
  }
  for (auto [idx, leader] : followers) {
    if (!conflicted[leader]) continue;
    if (stored[leader]) {
      convs[idx].write->outcome = Compare(convs[idx].write->conversion, *stored[leader]);
    } else {
      convs[idx].op->status =
          Status::Internal("conversion insert conflicted but no existing row was found");
    }
  }
  return Status::Ok();
}

}  // namespace thrad
