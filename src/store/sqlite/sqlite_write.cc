// SqliteStore's per-op work inside CommitBatch: dedup and idempotency are decided inside
// the write transaction, so racing requests cannot both win.
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

void BindEvent(SqliteStatement& s, const EventRecord& e) {
  int i = 0;
  s.Bind(++i, e.partner_id);
  s.Bind(++i, e.key_id);
  s.Bind(++i, e.event_name);
  s.Bind(++i, e.tag_id);
  s.Bind(++i, e.event_id);
  s.Bind(++i, e.timestamp);
  s.Bind(++i, e.page_url);
  s.Bind(++i, e.referrer);
  s.Bind(++i, e.user_agent);
  s.Bind(++i, e.session_id);
  s.Bind(++i, e.client_id);
  s.Bind(++i, e.attribution_type);
  s.Bind(++i, e.impression_id);
  s.Bind(++i, e.click_id);
  s.Bind(++i, e.bid_id);
  s.Bind(++i, e.impression_state);
  s.Bind(++i, e.view_time_ms);
  s.Bind(++i, e.consent_json);
  s.Bind(++i, e.params_json);
  s.Bind(++i, e.channel);
  s.Bind(++i, e.client_ip);
  s.Bind(++i, int64_t{e.received_at});
}

void BindConversion(SqliteStatement& s, const ConversionRecord& c) {
  int i = 0;
  s.Bind(++i, c.partner_id);
  s.Bind(++i, c.key_id);
  s.Bind(++i, c.click_id);
  s.Bind(++i, c.bid_id);
  s.Bind(++i, c.campaign_id);
  s.Bind(++i, int64_t{c.conversion_time});
  s.Bind(++i, c.value_micros);
  s.Bind(++i, c.currency);
  s.Bind(++i, c.event_type);
  s.Bind(++i, c.order_id);
  s.Bind(++i, c.event_id);
  s.Bind(++i, c.tag_id);
  s.Bind(++i, c.session_id);
  s.Bind(++i, c.client_id);
  s.Bind(++i, c.page_url);
  s.Bind(++i, c.referrer);
  s.Bind(++i, c.user_agent);
  s.Bind(++i, c.dedup_key);
  s.Bind(++i, DedupSourceName(c.dedup_source));
  s.Bind(++i, c.params_json);
  s.Bind(++i, c.client_ip);
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
  const bool savepoint = !op.dry_run;  // a dry run writes nothing, so needs no undo
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
    Result<SqliteStatement> insert = db.Prepare(kInsertEvent);
    if (!insert.ok()) return insert.status();
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
