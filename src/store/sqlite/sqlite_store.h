#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/sqlite/sqlite_checkpointer.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace thrad {

struct SqliteStoreOptions {
  // How long a connection waits for another connection's write lock before giving up with
  // Unavailable: rides out a CLI process writing a key, yet surfaces a stuck lock as a 503.
  int busy_timeout_ms = 5000;
  // CanDeferSync: whether the group-commit writer may use CommitBatchUnsynced for large
  // batches (serve --sqlite-sync pipelined). Every connection runs synchronous=FULL, so each
  // COMMIT syncs the WAL before it returns, except the writer's during CommitBatchUnsynced:
  // its commit sync is deferred (DeferWalCommitSync, wal_vfs.h), COMMIT writes the WAL
  // without syncing it, and SyncCommitted fdatasyncs it on the writer's sync thread while the
  // next transaction is built.
  bool pipelined_sync = false;
};

// The embedded store: one SQLite file in WAL mode, one durable sync per transaction however
// many rows it holds (see SqliteStoreOptions::pipelined_sync for where that sync runs).
//
// Connections: a writer connection used only by CommitBatch/CheckWritable (the writer
// thread), a read connection for key and click look-ups and an admin connection for the rare
// key/click writes, each behind its own mutex; every export opens a connection of its own
// so a long export never blocks authentication. Every method is thread-safe.
class SqliteStore final : public Store {
 public:
  // Opens `path` (a file path, not a URI), creating its parent directories and the file
  // itself with mode 0600 (SQLite gives the -wal/-shm files the same mode). Does not
  // migrate: call Migrate().
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   SqliteStoreOptions options = {});
  ~SqliteStore() override;

  Status Migrate() override;
  // BEGIN IMMEDIATE; each op that writes more than one row (a batch) in its own SAVEPOINT
  // (one statement is atomic by itself), so an op whose statement fails unexpectedly gets a
  // non-ok status (Unavailable or Internal) and is rolled back alone; COMMIT. When BEGIN or COMMIT
  // fails (busy, disk full, I/O error) the transaction is rolled back, every op's status is set to
  // Unavailable and the error is returned.
  Status CommitBatch(std::span<WriteOp* const> ops) override;
  Status CheckWritable() override;
  bool CanDeferSync() const override { return options_.pipelined_sync; }
  // CommitBatch with the WAL written but not synced: durable after the next SyncCommitted.
  Status CommitBatchUnsynced(std::span<WriteOp* const> ops) override;
  // fdatasync of the WAL file (opened by path; its directory is synced too whenever it is
  // opened, so a WAL created since is found after a crash). Once a sync has failed, every
  // later call fails too: Linux may report a later fsync as successful without having
  // written what the failed one lost.
  Status SyncCommitted() override;

  // KeyStore (sqlite_keys.cc): look-ups on the reader connection, writes on the admin connection.
  Status InsertKey(const KeyRecord& key) override;
  Result<std::optional<KeyRecord>> FindKeyByDigest(std::string_view digest) override;
  Result<std::optional<KeyRecord>> FindKeyById(std::string_view key_id) override;
  Result<std::vector<KeyRecord>> ListKeys(std::optional<std::string> partner_id) override;
  Status RevokeKey(std::string_view key_id, UnixMicros at) override;
  Status TouchKeys(const std::vector<std::pair<std::string, UnixMicros>>& last_used) override;
  Status UpdateKeyLimits(std::string_view key_id, std::optional<double> rate_limit_rps,
                         std::optional<int64_t> rate_limit_burst) override;

  // MaintenanceStore: retention and backup (sqlite_maintenance.cc), each on a connection of its own
  // so the server's writer and readers are never held up by more than one short transaction.
  Result<uint64_t> DeleteOlderThan(Table table, UnixMicros cutoff, size_t max_rows) override;
  Result<uint64_t> CountOlderThan(Table table, UnixMicros cutoff) override;
  // sqlite3_backup_* from a read snapshot (WAL: writers go on meanwhile) into a temporary
  // file next to `dest_path` (mode 0600), checked with PRAGMA quick_check, synced, then
  // renamed into place; `dest_path` must not exist (AlreadyExists).
  Status Backup(const std::string& dest_path) override;

  // Deletes on the maintenance connection; the search for expired clicks runs before the
  // delete transaction, in a read snapshot that never holds the write lock.
  Result<uint64_t> DeleteExpiredClicks(UnixMicros cutoff, UnixMicros now, size_t max_rows) override;
  Result<uint64_t> CountExpiredClicks(UnixMicros cutoff, UnixMicros now) override;

  // ErasureStore (sqlite_erasure.cc): on the maintenance connection; reads in steps, deletes in
  // short transactions.
  Result<ErasureCounts> Erase(const ErasureRequest& request) override;

  // ClickStore (sqlite_clicks.cc): InsertClick on the admin connection, FindClick on the reader.
  Status InsertClick(const ClickRecord& click) override;
  Result<std::optional<ClickLookup>> FindClick(std::string_view partner_id,
                                               std::string_view click_id) override;

  // SigningKeyStore (sqlite_clicks.cc): writes on the admin connection, the list on the reader.
  Status InsertSigningKey(const SigningKeyRecord& key) override;
  Result<std::vector<SigningKeyRecord>> ListSigningKeys() override;
  Status RetireSigningKey(std::string_view kid, UnixMicros at) override;
  Status RevokeSigningKey(std::string_view kid, UnixMicros at) override;

  // TagStore (sqlite_tags.cc): writes on the admin connection, reads on the reader.
  Status InsertTag(const TagRecord& tag) override;
  Result<std::vector<TagRecord>> ListTags(std::optional<std::string> partner_id) override;
  Status UpdateTagOrigins(std::string_view tag_id, const std::vector<std::string>& origins,
                          UnixMicros at) override;
  Status RemoveTag(std::string_view tag_id, UnixMicros at) override;
  Result<std::vector<TagRecord>> ListActiveTags() override;

  // ExportStore (sqlite_export.cc).
  Status ExportEvents(const ExportFilter& filter,
                      const std::function<Status(const std::string&)>& row) override;
  Status ExportConversions(const ExportFilter& filter,
                           const std::function<Status(const std::string&)>& row) override;
  Status ExportClicks(const ExportFilter& filter,
                      const std::function<Status(const std::string&)>& row) override;

  // ReportStore (sqlite_reports.cc): on the reports connection (a read connection of its own,
  // opened on first use).
  Status ReadEventRollups(const RollupQuery& q,
                          const std::function<void(const EventRollupRow&)>& row) override;
  Status ReadClickRollups(const RollupQuery& q,
                          const std::function<void(const ClickRollupRow&)>& row) override;
  Status ReadConversionRollups(const RollupQuery& q,
                               const std::function<void(const ConversionRollupRow&)>& row) override;
  Result<ConversionPage> ListConversions(const ConversionPageQuery& q) override;
  Result<RefusalReport> ReadRefusals(const RefusalQuery& q) override;

  const std::string& path() const { return path_; }

 private:
  SqliteStore(std::string path, SqliteStoreOptions options);

  // A new connection to path_ with this store's PRAGMAs applied.
  Result<std::unique_ptr<SqliteDb>> Connect() const;

  // The maintenance connection, opened on first use. Requires maintenance_mu_.
  Result<SqliteDb*> MaintenanceDb();

  // The reports connection, opened on first use. Requires reports_mu_.
  Result<SqliteDb*> ReportsDb();

  // The key with `column` (id or digest) = `value` (sqlite_keys.cc).
  Result<std::optional<KeyRecord>> FindKey(std::string_view column, std::string_view value);

  // Inside CommitBatch's transaction (sqlite_write.cc). A non-ok return means the op failed;
  // the caller decides whether the whole transaction is lost.
  Status ApplyOp(SqliteDb& db, WriteOp& op);
  Status ApplyEvents(SqliteDb& db, EventWrite& write, bool dry_run);
  Status ApplyConversion(SqliteDb& db, ConversionWrite& write, bool dry_run);
  Status ApplyClicks(SqliteDb& db, ClickWrite& write, bool dry_run);
  Status ApplyRefusals(SqliteDb& db, const RefusalWrite& write);  // sqlite_refusals.cc
  Status ApplyInSavepoint(SqliteDb& db, WriteOp& op);
  // CommitBatch's transaction; its COMMIT syncs the WAL when `sync`, else only writes it.
  // Requires writer_mu_.
  Status Commit(std::span<WriteOp* const> ops, bool sync);
  // Whether the writer connection's COMMIT syncs the WAL. Requires writer_mu_.
  Status SetWriterSync(bool full);
  const std::string path_;
  const SqliteStoreOptions options_;

  std::mutex writer_mu_;
  std::unique_ptr<SqliteDb> writer_;  // guarded by writer_mu_
  bool writer_full_sync_ = true;      // its COMMIT syncs the WAL; guarded by writer_mu_
  // Takes WAL checkpoints off the writer; created by the first CommitBatch (so CLI commands,
  // which never call it, start no thread). Declared after writer_: destroyed before it.
  std::unique_ptr<SqliteCheckpointer> checkpointer_;  // guarded by writer_mu_
  bool checkpointer_tried_ = false;                   // guarded by writer_mu_
  std::mutex reader_mu_;
  std::unique_ptr<SqliteDb> reader_;  // guarded by reader_mu_
  std::mutex admin_mu_;
  std::unique_ptr<SqliteDb> admin_;  // guarded by admin_mu_
  std::mutex reports_mu_;
  std::unique_ptr<SqliteDb> reports_;  // opened on first use; guarded by reports_mu_
  std::mutex maintenance_mu_;
  std::unique_ptr<SqliteDb> maintenance_;  // opened on first use; guarded by maintenance_mu_
  // SyncCommitted's state. Never taken with writer_mu_ by the sync thread, so a sync never
  // waits for a transaction (CheckWritable takes writer_mu_ then this).
  std::mutex wal_mu_;
  int wal_fd_ = -1;          // the -wal file, read-only; guarded by wal_mu_
  Status wal_sync_failure_;  // sticky; guarded by wal_mu_
};

}  // namespace thrad
