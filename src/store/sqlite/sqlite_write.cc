// SqliteStore's per-op work inside CommitBatch: dedup and idempotency are decided inside
// the write transaction, so racing requests cannot both win.
#include <optional>
#include <string>
#include <variant>

#include "store/sqlite/sqlite_store.h"

namespace thrad {
namespace {

constexpr std::string_view kInsertEvent =
    "INSERT INTO events(partner_id, key_id, event_name, tag_id, event_id, timestamp, page_url, "
    "referrer, user_agent, session_id, client_id, attribution_type, impression_id, click_id, "
    "bid_id, impression_state, view_time_ms, consent_json, params_json, channel, client_ip, "
    "received_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT(partner_id, tag_id, event_id) DO NOTHING";

constexpr std::string_view kEventExists =
    "SELECT 1 FROM events WHERE partner_id = ? AND tag_id = ? AND event_id = ?";

constexpr std::string_view kFindClick =
    "SELECT bid_id, campaign_id FROM clicks WHERE partner_id = ? AND click_id = ?";

constexpr std::string_view kInsertConversion =
    "INSERT INTO conversions(partner_id, key_id, click_id, bid_id, campaign_id, conversion_time, "
    "value_micros, currency, event_type, order_id, event_id, tag_id, session_id, client_id, "
    "page_url, referrer, user_agent, dedup_key, dedup_source, params_json, client_ip, "
    "received_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT(partner_id, click_id, event_type, dedup_key) DO NOTHING";

constexpr std::string_view kFindConversion =
    "SELECT conversion_time, value_micros, currency, order_id FROM conversions "
    "WHERE partner_id = ? AND click_id = ? AND event_type = ? AND dedup_key = ?";

std::optional<std::string> DedupSourceName(DedupSource source) {
  switch (source) {
    case DedupSource::kHeader:
      return "header";
    case DedupSource::kEventId:
      return "event_id";
    case DedupSource::kOrderId:
      return "order_id";
    case DedupSource::kNone:
      break;
  }
  return std::nullopt;
}

// Binds without copying: `e` must outlive the statement's run.
void BindEvent(SqliteStatement& s, const EventRecord& e) {
  int i = 0;
  s.BindStatic(++i, e.partner_id);
  s.BindStatic(++i, e.key_id);
  s.BindStatic(++i, e.event_name);
  s.BindStatic(++i, e.tag_id);
  s.BindStatic(++i, e.event_id);
  s.Bind(++i, e.timestamp);
  s.BindStatic(++i, e.page_url);
  s.BindStatic(++i, e.referrer);
  s.BindStatic(++i, e.user_agent);
  s.BindStatic(++i, e.session_id);
  s.BindStatic(++i, e.client_id);
  s.BindStatic(++i, e.attribution_type);
  s.BindStatic(++i, e.impression_id);
  s.BindStatic(++i, e.click_id);
  s.BindStatic(++i, e.bid_id);
  s.BindStatic(++i, e.impression_state);
  s.Bind(++i, e.view_time_ms);
  s.BindStatic(++i, e.consent_json);
  s.BindStatic(++i, e.params_json);
  s.BindStatic(++i, e.channel);
  s.BindStatic(++i, e.client_ip);
  s.Bind(++i, int64_t{e.received_at});
}

// Binds without copying: `c` must outlive the statement's run.
void BindConversion(SqliteStatement& s, const ConversionRecord& c) {
  int i = 0;
  s.BindStatic(++i, c.partner_id);
  s.BindStatic(++i, c.key_id);
  s.BindStatic(++i, c.click_id);
  s.BindStatic(++i, c.bid_id);
  s.BindStatic(++i, c.campaign_id);
  s.Bind(++i, int64_t{c.conversion_time});
  s.Bind(++i, c.value_micros);
  s.BindStatic(++i, c.currency);
  s.BindStatic(++i, c.event_type);
  s.BindStatic(++i, c.order_id);
  s.BindStatic(++i, c.event_id);
  s.BindStatic(++i, c.tag_id);
  s.BindStatic(++i, c.session_id);
  s.BindStatic(++i, c.client_id);
  s.BindStatic(++i, c.page_url);
  s.BindStatic(++i, c.referrer);
  s.BindStatic(++i, c.user_agent);
  s.BindStatic(++i, c.dedup_key);
  s.Bind(++i, DedupSourceName(c.dedup_source));
  s.BindStatic(++i, c.params_json);
  s.BindStatic(++i, c.client_ip);
  s.Bind(++i, int64_t{c.received_at});
}

// kDuplicate when the stored conversion with c's identity has the same normalized payload
// (conversion_time, value, currency, order_id), kPayloadMismatch when it differs, kStored
// when there is none. Requires c.dedup_key.
Result<WriteOutcome> CompareExisting(SqliteDb& db, const ConversionRecord& c) {
  Result<SqliteStatement> find = db.Prepare(kFindConversion);
  if (!find.ok()) return find.status();
  find->Bind(1, c.partner_id);
  find->Bind(2, c.click_id);
  find->Bind(3, c.event_type);
  find->Bind(4, c.dedup_key);
  Result<bool> row = find->Step();
  if (!row.ok()) return row.status();
  if (!*row) return WriteOutcome::kStored;
  bool same = find->Int64(0) == c.conversion_time && find->Int64(1) == c.value_micros &&
              find->Text(2) == c.currency && find->OptText(3) == c.order_id;
  return same ? WriteOutcome::kDuplicate : WriteOutcome::kPayloadMismatch;
}

Status OpFailure(const Status& st) {
  switch (st.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kIoError:
      return Status::Unavailable("store: " + st.message());
    default:
      return Status::Internal("store: " + st.ToString());
  }
}

void ResetOutcomes(WriteOp& op) {
  if (auto* w = std::get_if<EventWrite>(&op.payload)) {
    w->outcomes.assign(w->events.size(), WriteOutcome::kPending);
  } else {
    std::get<ConversionWrite>(op.payload).outcome = WriteOutcome::kPending;
  }
}

}  // namespace

Status SqliteStore::ApplyInSavepoint(SqliteDb& db, WriteOp& op) {
  op.status = Status::Ok();
  ResetOutcomes(op);
  // A savepoint undoes a failed op's earlier statements. An op with one write statement needs
  // none (SQLite backs out a failed statement by itself), and it costs two statements per op:
  // so only a multi-event write (a batch) takes one. A dry run writes nothing.
  const auto* events = std::get_if<EventWrite>(&op.payload);
  const bool savepoint = !op.dry_run && events != nullptr && events->events.size() > 1;
  if (savepoint) THRAD_RETURN_IF_ERROR(db.Run("SAVEPOINT op"));
  Status st = ApplyOp(db, op);
  if (st.ok()) return savepoint ? db.Run("RELEASE op") : Status::Ok();
  // SQLite rolls the whole transaction back on some errors (disk full, I/O): then the
  // batch is lost, not just this op.
  if (!db.InTransaction()) return st;
  op.status = OpFailure(st);
  ResetOutcomes(op);
  if (!savepoint) return Status::Ok();
  THRAD_RETURN_IF_ERROR(db.Run("ROLLBACK TO op"));
  return db.Run("RELEASE op");
}

Status SqliteStore::ApplyOp(SqliteDb& db, WriteOp& op) {
  if (auto* w = std::get_if<EventWrite>(&op.payload)) return ApplyEvents(db, *w, op.dry_run);
  return ApplyConversion(db, std::get<ConversionWrite>(op.payload), op.dry_run);
}

Status SqliteStore::ApplyEvents(SqliteDb& db, EventWrite& write, bool dry_run) {
  std::optional<SqliteStatement> insert;
  for (size_t i = 0; i < write.events.size(); ++i) {
    const EventRecord& e = write.events[i];
    if (dry_run) {
      if (!e.event_id.has_value()) {
        write.outcomes[i] = WriteOutcome::kStored;
        continue;
      }
      Result<SqliteStatement> exists = db.Prepare(kEventExists);
      if (!exists.ok()) return exists.status();
      exists->Bind(1, e.partner_id);
      exists->Bind(2, e.tag_id);
      exists->Bind(3, e.event_id);
      Result<bool> row = exists->Step();
      if (!row.ok()) return row.status();
      write.outcomes[i] = *row ? WriteOutcome::kDuplicate : WriteOutcome::kStored;
      continue;
    }
    if (!insert) {  // once per op: the cache lookup hashes the whole SQL text
      Result<SqliteStatement> prepared = db.Prepare(kInsertEvent);
      if (!prepared.ok()) return prepared.status();
      insert.emplace(std::move(prepared).value());
    } else {
      insert->Reset();
    }
    BindEvent(*insert, e);
    THRAD_RETURN_IF_ERROR(insert->Run());
    write.outcomes[i] = db.Changes() == 0 ? WriteOutcome::kDuplicate : WriteOutcome::kStored;
  }
  return Status::Ok();
}

Status SqliteStore::ApplyConversion(SqliteDb& db, ConversionWrite& write, bool dry_run) {
  ConversionRecord& c = write.conversion;
  {
    Result<SqliteStatement> click = db.Prepare(kFindClick);
    if (!click.ok()) return click.status();
    click->Bind(1, c.partner_id);
    click->Bind(2, c.click_id);
    Result<bool> row = click->Step();
    if (!row.ok()) return row.status();
    if (!*row) {
      write.outcome = WriteOutcome::kClickNotFound;
      return Status::Ok();
    }
    if (click->IsNull(0)) {
      write.outcome = WriteOutcome::kClickMissingBid;
      return Status::Ok();
    }
    c.bid_id = click->Text(0);
    c.campaign_id = click->OptText(1);
  }

  if (dry_run) {
    if (!c.dedup_key.has_value()) {
      write.outcome = WriteOutcome::kStored;
      return Status::Ok();
    }
    Result<WriteOutcome> outcome = CompareExisting(db, c);
    if (!outcome.ok()) return outcome.status();
    write.outcome = *outcome;
    return Status::Ok();
  }

  Result<SqliteStatement> insert = db.Prepare(kInsertConversion);
  if (!insert.ok()) return insert.status();
  BindConversion(*insert, c);
  THRAD_RETURN_IF_ERROR(insert->Run());
  if (db.Changes() != 0) {
    write.outcome = WriteOutcome::kStored;
    return Status::Ok();
  }
  Result<WriteOutcome> outcome = CompareExisting(db, c);
  if (!outcome.ok()) return outcome.status();
  if (*outcome == WriteOutcome::kStored) {
    return Status::Internal("conversion insert conflicted but no existing row was found");
  }
  write.outcome = *outcome;
  return Status::Ok();
}

}  // namespace thrad
