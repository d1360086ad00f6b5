#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "store/export_format.h"
#include "store/postgres/pg_link.h"
#include "store/postgres/pg_query.h"
#include "store/postgres/pg_result.h"
#include "store/store.h"

namespace thrad {

// The shared store: any number of `serve` processes on one PostgreSQL database (or a
// PostgreSQL-compatible distributed engine sharded by partner_id). Same semantics as the
// SQLite store; durability is the server's COMMIT (synchronous_commit as configured, `on` by
// default: the WAL is flushed before COMMIT returns).
//
// Connections: one for the writer (CommitBatch, CheckWritable), one for key, click and
// signing-key look-ups, one for the rare admin writes (keys, clicks, signing keys, migrations,
// keys' last use), one for reports, one for the rollup folder (FoldPendingRollups) and one for
// retention deletes, each behind its own mutex and each reopened on
// demand with backoff after a failure (PgLink); every export opens a connection of its own. Every
// method is thread-safe. A method that cannot reach the database returns Unavailable (503 on the
// request path).
class PostgresStore final : public Store {
 public:
  // Checks the URL and connects once (so a wrong URL or an unreachable database fails here).
  // Does not migrate: call Migrate().
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& url);
  ~PostgresStore() override;

  Status Migrate() override;
  // One transaction for the whole batch: a batch of only new events is one binary COPY (see
  // pg_copy_events.cc; on a unique violation it is redone by the INSERT path), any other batch
  // a few set-based statements sent in pipeline mode (see pg_write.cc): one round trip for a
  // batch of events, two when it holds conversions. Duplicates and idempotency are decided by
  // unique constraints and INSERT ... ON CONFLICT DO NOTHING inside it, so racing servers cannot
  // both win. On a deadlock or serialization failure the batch is retried; when a statement fails
  // on the data of one op, the batch is redone op by op under savepoints so that op fails alone.
  Status CommitBatch(std::span<WriteOp* const> ops) override;
  Status CheckWritable() override;

  // Batches stored by COPY, and COPYs that met a stored or racing duplicate and were redone by
  // the deduplicating INSERT (pg_copy_events.cc).
  CopyStats CopyCounters() const override;

  // KeyStore and MaintenanceStore (pg_keys.cc): look-ups on the reader connection,
  // writes on the admin connection, retention deletes on the maintenance connection.
  Status InsertKey(const KeyRecord& key) override;
  Result<std::optional<KeyRecord>> FindKeyByDigest(std::string_view digest) override;
  Result<std::optional<KeyRecord>> FindKeyById(std::string_view key_id) override;
  Result<std::vector<KeyRecord>> ListKeys(std::optional<std::string> partner_id) override;
  Status RevokeKey(std::string_view key_id, UnixMicros at) override;
  Status TouchKeys(const std::vector<std::pair<std::string, UnixMicros>>& last_used) override;
  Status UpdateKeyLimits(std::string_view key_id, std::optional<double> rate_limit_rps,
                         std::optional<int64_t> rate_limit_burst) override;
  Result<uint64_t> DeleteOlderThan(Table table, UnixMicros cutoff, size_t max_rows) override;
  // One DELETE of the oldest expired clicks' keys, found through clicks_clicked_at (row locks
  // only: the servers' writes go on).
  Result<uint64_t> DeleteExpiredClicks(UnixMicros cutoff, UnixMicros now, size_t max_rows) override;
  Result<uint64_t> CountExpiredClicks(UnixMicros cutoff, UnixMicros now) override;
  Result<uint64_t> CountOlderThan(Table table, UnixMicros cutoff) override;
  // InvalidArgument: a PostgreSQL database is backed up with its own tools (pg_dump,
  // pg_basebackup).
  Status Backup(const std::string& dest_path) override;

  // ErasureStore (pg_erasure.cc): on the maintenance connection, one statement per step of the
  // partner's primary key range (row locks only).
  Result<ErasureCounts> Erase(const ErasureRequest& request) override;

  // ClickStore (pg_clicks.cc): InsertClick on the admin connection, FindClick on the reader.
  Status InsertClick(const ClickRecord& click) override;
  Result<std::optional<ClickLookup>> FindClick(std::string_view partner_id,
                                               std::string_view click_id) override;

  // SigningKeyStore (pg_clicks.cc): writes on the admin connection, the list on the reader.
  Status InsertSigningKey(const SigningKeyRecord& key) override;
  Result<std::vector<SigningKeyRecord>> ListSigningKeys() override;
  Status RetireSigningKey(std::string_view kid, UnixMicros at) override;
  Status RevokeSigningKey(std::string_view kid, UnixMicros at) override;

  // TagStore (pg_tags.cc): writes on the admin connection, reads on the reader.
  Status InsertTag(const TagRecord& tag) override;
  Result<std::vector<TagRecord>> ListTags(std::optional<std::string> partner_id) override;
  Status UpdateTagOrigins(std::string_view tag_id, const std::vector<std::string>& origins,
                          UnixMicros at) override;
  Status RemoveTag(std::string_view tag_id, UnixMicros at) override;
  Result<std::vector<TagRecord>> ListActiveTags() override;
  // ReportStore (pg_reports.cc): on the reports connection.
  Status ReadEventRollups(const RollupQuery& q,
                          const std::function<void(const EventRollupRow&)>& row) override;
  Status ReadClickRollups(const RollupQuery& q,
                          const std::function<void(const ClickRollupRow&)>& row) override;
  Status ReadConversionRollups(const RollupQuery& q,
                               const std::function<void(const ConversionRollupRow&)>& row) override;
  Result<RollupFold> FoldPendingRollups() override;
  Result<ConversionPage> ListConversions(const ConversionPageQuery& q) override;
  Result<RefusalReport> ReadRefusals(const RefusalQuery& q) override;

  // ExportStore (pg_export.cc).
  Status ExportEvents(const ExportFilter& filter,
                      const std::function<Status(const std::string&)>& row) override;
  Status ExportConversions(const ExportFilter& filter,
                           const std::function<Status(const std::string&)>& row) override;
  Status ExportClicks(const ExportFilter& filter,
                      const std::function<Status(const std::string&)>& row) override;

 private:
  explicit PostgresStore(const std::string& url);

  // Runs `query` on `link` (locked by the caller), mapping failures to a Status and letting the
  // link recover from them; `cached`: as a statement prepared once per text (PgConn::ExecCached).
  static Result<PgResult> Run(PgLink& link, const PgQuery& query, bool cached = false);
  // The key with `column` (id or digest) = `value` (pg_keys.cc).
  Result<std::optional<KeyRecord>> FindKey(std::string_view column, std::string_view value);

  // pg_write.cc. The batch in one transaction with set-based statements; fills outcomes.
  Status WriteTogether(PgConn& conn, std::span<WriteOp* const> ops);
  // The batch in one transaction, op by op under savepoints: an op that fails gets a non-ok
  // status alone. For the rare batch whose set-based statements failed on data.
  Status WriteIsolated(PgConn& conn, std::span<WriteOp* const> ops);
  // pg_copy_events.cc: whether this commit tries COPY (only new events, and not paused after
  // a conflict), how it went, and the COPY itself (fills outcomes; a unique violation, 23505,
  // means nothing was written).
  bool ChooseCopy(std::span<WriteOp* const> ops);
  void AfterCopy(bool conflicted);
  Status CopyEvents(PgConn& conn, std::span<WriteOp* const> ops);
  // Appends the rollup counters of what `ops` stored to the pending tables (FoldPendingRollups
  // folds them) and commits the open transaction, in one round trip.
  Status CommitWithRollups(PgConn& conn, std::span<WriteOp* const> ops);
  // The set-based work for `ops` on an open transaction (`own_transaction`: also BEGIN and
  // COMMIT it, pipelined with the statements).
  Status ApplyOps(PgConn& conn, std::span<WriteOp* const> ops, bool own_transaction);

  // Streams `query`'s rows as export JSON, each row made by `to_json` (pg_export.cc), on a
  // connection of its own.
  using ExportJson = std::string (*)(const export_format::ExportRow&);
  Status Export(const PgQuery& query, ExportJson to_json,
                const std::function<Status(const std::string&)>& row);

  // A report's statement on the reports connection (pg_reports.cc).
  Result<PgResult> RunReport(const PgQuery& query);

  const std::string url_;
  std::mutex writer_mu_;
  PgLink writer_;  // guarded by writer_mu_
  // The COPY fast path, guarded by writer_mu_: commits left to skip it, the next pause length.
  uint32_t copy_skip_ = 0;
  uint32_t copy_pause_ = 16;
  std::atomic<uint64_t> copies_{0};
  std::atomic<uint64_t> copy_conflicts_{0};
  std::mutex reader_mu_;
  PgLink reader_;  // guarded by reader_mu_
  std::mutex admin_mu_;
  PgLink admin_;  // guarded by admin_mu_
  std::mutex reports_mu_;
  PgLink reports_;  // the reports' reads, apart from key look-ups; guarded by reports_mu_
  std::mutex folder_mu_;
  PgLink folder_;  // the rollup folder's transactions (pg_rollup_fold.cc); guarded by folder_mu_
  std::mutex maintenance_mu_;
  PgLink maintenance_;  // retention deletes, so they never hold up admin_; guarded by its mutex
};

}  // namespace thrad
