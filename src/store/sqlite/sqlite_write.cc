// SqliteStore's per-op work inside CommitBatch: dedup and idempotency are decided inside
// the write transaction, so racing requests cannot both win.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "store/record_columns.h"
#include "store/sqlite/sqlite_clicks.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace thrad {
namespace {

// A batch op's rows go in statements of up to this many rows: a statement per row costs the
// statement's fixed work, and AUTOINCREMENT's read and write of sqlite_sequence, per row.
// 32 x 32 = 1,024 parameters, far below SQLite's limit of 32,766.
constexpr size_t kRowsPerStatement = 32;

// The events INSERT for `rows` rows (1 to kRowsPerStatement).
const std::string& InsertEventSql(size_t rows) {
  static const auto* const kSql = [] {
    auto* sql = new std::vector<std::string>(kRowsPerStatement + 1);
    for (size_t n = 1; n <= kRowsPerStatement; ++n) {
      (*sql)[n] = SqliteInsertSql<EventRecord>("events", "partner_id, tag_id, event_id", n);
    }
    return sql;
  }();
  return (*kSql)[rows];
}

const std::string& InsertConversionSql() {
  static const auto* const kSql = new std::string(SqliteInsertSql<ConversionRecord>(
      "conversions", "partner_id, click_id, event_type, dedup_key", 1));
  return *kSql;
}

const std::string& InsertClickSql() {
  static const auto* const kSql =
      new std::string(SqliteInsertSql<ClickRecord>("clicks", "partner_id, click_id", 1));
  return *kSql;
}

constexpr std::string_view kEventExists =
    "SELECT 1 FROM events WHERE partner_id = ? AND tag_id = ? AND event_id = ?";

constexpr std::string_view kFindClick =
    "SELECT bid_id, campaign_id, clicked_at, tag_id FROM clicks WHERE partner_id = ? AND click_id "
    "= ?";

constexpr std::string_view kFindConversion =
    "SELECT conversion_time, value_micros, currency, order_id, key_id FROM conversions "
    "WHERE partner_id = ? AND click_id = ? AND event_type = ? AND dedup_key = ?";

// The outcome of c against the stored conversion with its identity (ConversionOutcome: the
// same normalized payload, or another source, is kDuplicate; else kPayloadMismatch), kStored
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
  ConversionPayload stored;
  stored.conversion_time = find->Int64(0);
  stored.value_micros = find->Int64(1);
  stored.currency = find->Text(2);
  stored.order_id = find->OptText(3);
  stored.from_tag = find->Text(4).empty();
  return ConversionOutcome(stored, ConversionPayload::Of(c));
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

// A dry run: each event's outcome if it were written (duplicate when its identity is stored).
Status CheckEvents(SqliteDb& db, EventWrite& write) {
  for (size_t i = 0; i < write.events.size(); ++i) {
    const EventRecord& e = write.events[i];
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
  }
  return Status::Ok();
}

// Inserts write.events[first, first + n) with one statement when none of them is a
// duplicate (true: all stored). Otherwise undoes that statement and returns false: the
// caller inserts them one by one to learn which were duplicates.
Result<bool> InsertAllOrNone(SqliteDb& db, EventWrite& write, size_t first, size_t n) {
  THRAD_RETURN_IF_ERROR(db.Run("SAVEPOINT rows"));
  Result<SqliteStatement> insert = db.Prepare(InsertEventSql(n));
  if (!insert.ok()) return insert.status();
  for (size_t r = 0; r < n; ++r) BindRow(*insert, write.events[first + r], static_cast<int>(r));
  THRAD_RETURN_IF_ERROR(insert->Run());
  const bool all = db.Changes() == static_cast<int64_t>(n);
  if (!all) THRAD_RETURN_IF_ERROR(db.Run("ROLLBACK TO rows"));
  THRAD_RETURN_IF_ERROR(db.Run("RELEASE rows"));
  if (all) {
    std::fill_n(write.outcomes.begin() + static_cast<std::ptrdiff_t>(first), n,
                WriteOutcome::kStored);
  }
  return all;
}

}  // namespace

Status SqliteStore::ApplyInSavepoint(SqliteDb& db, WriteOp& op) {
  op.status = Status::Ok();
  op.ResetOutcomes();
  // A savepoint undoes a failed op's earlier statements. An op with one write statement needs
  // none (SQLite backs out a failed statement by itself), and it costs two statements per op:
  // so only an op that writes several rows (a batch of events or clicks) takes one. A dry run
  // writes nothing.
  const bool savepoint =
      !op.dry_run && (op.rows() > 1 || std::holds_alternative<RefusalWrite>(op.payload));
  if (savepoint) THRAD_RETURN_IF_ERROR(db.Run("SAVEPOINT op"));
  Status st = ApplyOp(db, op);
  if (st.ok()) return savepoint ? db.Run("RELEASE op") : Status::Ok();
  // SQLite rolls the whole transaction back on some errors (disk full, I/O): then the
  // batch is lost, not just this op.
  if (!db.InTransaction()) return st;
  op.status = OpFailure(st);
  op.ResetOutcomes();
  if (!savepoint) return Status::Ok();
  THRAD_RETURN_IF_ERROR(db.Run("ROLLBACK TO op"));
  return db.Run("RELEASE op");
}

Status SqliteStore::ApplyOp(SqliteDb& db, WriteOp& op) {
  if (auto* w = std::get_if<EventWrite>(&op.payload)) return ApplyEvents(db, *w, op.dry_run);
  if (auto* w = std::get_if<ClickWrite>(&op.payload)) return ApplyClicks(db, *w, op.dry_run);
  if (const auto* w = std::get_if<RefusalWrite>(&op.payload)) return ApplyRefusals(db, *w);
  return ApplyConversion(db, std::get<ConversionWrite>(op.payload), op.dry_run);
}

Status SqliteStore::ApplyClicks(SqliteDb& db, ClickWrite& write, bool dry_run) {
  // ON CONFLICT DO NOTHING on (partner_id, click_id): a click already stored, by an earlier
  // transaction or earlier in this one (so the first of an identity wins), is a duplicate,
  // answered with the stored click, read in this transaction.
  std::optional<SqliteStatement> insert;
  for (size_t i = 0; i < write.clicks.size(); ++i) {
    ClickRecord& click = write.clicks[i];
    if (!dry_run) {
      if (!insert) {
        Result<SqliteStatement> prepared = db.Prepare(InsertClickSql());
        if (!prepared.ok()) return prepared.status();
        insert.emplace(std::move(prepared).value());
      } else {
        insert->Reset();
      }
      BindRow(*insert, click);
      THRAD_RETURN_IF_ERROR(insert->Run());
      if (db.Changes() != 0) {
        write.outcomes[i] = WriteOutcome::kStored;
        continue;
      }
    }
    Result<std::optional<ClickRecord>> stored =
        FindStoredClick(db, click.partner_id, click.click_id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) {
      if (!dry_run)
        return Status::Internal("click insert conflicted but no stored click was found");
      write.outcomes[i] = WriteOutcome::kStored;
      continue;
    }
    click = std::move(**stored);
    write.outcomes[i] = WriteOutcome::kDuplicate;
  }
  return Status::Ok();
}

Status SqliteStore::ApplyEvents(SqliteDb& db, EventWrite& write, bool dry_run) {
  if (dry_run) return CheckEvents(db, write);
  std::optional<SqliteStatement> single;
  for (size_t i = 0; i < write.events.size();) {
    const size_t n = std::min(kRowsPerStatement, write.events.size() - i);
    if (n >= 2) {
      Result<bool> all = InsertAllOrNone(db, write, i, n);
      if (!all.ok()) return all.status();
      if (*all) {
        i += n;
        continue;
      }
    }
    // One by one, each with its own outcome (a duplicate is skipped by ON CONFLICT).
    for (const size_t end = i + n; i < end; ++i) {
      if (!single) {  // once per op: the cache lookup hashes the whole SQL text
        Result<SqliteStatement> prepared = db.Prepare(InsertEventSql(1));
        if (!prepared.ok()) return prepared.status();
        single.emplace(std::move(prepared).value());
      } else {
        single->Reset();
      }
      BindRow(*single, write.events[i]);
      THRAD_RETURN_IF_ERROR(single->Run());
      write.outcomes[i] = db.Changes() == 0 ? WriteOutcome::kDuplicate : WriteOutcome::kStored;
    }
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
    c.click_time = click->Int64(2);
    c.click_tag_id = click->OptText(3);
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

  Result<SqliteStatement> insert = db.Prepare(InsertConversionSql());
  if (!insert.ok()) return insert.status();
  BindRow(*insert, c);
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
