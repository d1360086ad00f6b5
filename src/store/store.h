#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/records.h"
#include "model/write_op.h"

namespace thrad {

struct ExportFilter {
  std::optional<UnixMicros> since;  // received_at >= since
  std::optional<std::string> partner_id;
};

// The storage backend. Handlers never see SQL; they build records and the writer hands
// them to CommitBatch.
//
// Thread-safety: CommitBatch is called only from the single writer thread. The other
// methods may be called from any thread at any time (each backend keeps its own read
// connection(s) and serializes as it needs).
class Store {
 public:
  virtual ~Store() = default;

  // Creates or upgrades the schema to the newest migration.
  virtual Status Migrate() = 0;

  // Writes every op of the batch in ONE transaction with one durable sync, deciding
  // duplicates and idempotency inside it, and fills each op's outcome(s). Returns non-ok
  // when the transaction did not commit: then nothing of the batch is stored.
  virtual Status CommitBatch(std::span<WriteOp* const> ops) = 0;

  // Pipelined durability, for a store whose sync is worth overlapping with the next
  // transaction (SQLite). CommitBatchUnsynced commits like CommitBatch but may return before
  // the transaction is durable: it is durable once a SyncCommitted that started after it
  // returned has returned ok. The writer uses it for large batches only, when CanDeferSync.
  // SyncCommitted is called from one thread at a time, concurrently with the commits; a
  // failure leaves the durability of those commits unknown (see GroupCommitWriter).
  virtual bool CanDeferSync() const { return false; }
  virtual Status CommitBatchUnsynced(std::span<WriteOp* const> ops) { return CommitBatch(ops); }
  virtual Status SyncCommitted() { return Status::Ok(); }

  // A store's bulk write path (PostgreSQL: COPY for batches of new events), for /metrics:
  // batches it wrote, and attempts that met a duplicate and were redone by the ordinary path.
  // Thread-safe; zero for a store without one.
  struct CopyStats {
    uint64_t copies = 0;
    uint64_t conflicts = 0;
  };
  virtual CopyStats CopyCounters() const { return {}; }

  // True when a trivial write transaction can commit now (for /readyz).
  virtual Status CheckWritable() = 0;

  // Keys.
  virtual Status InsertKey(const KeyRecord& key) = 0;
  virtual Result<std::optional<KeyRecord>> FindKeyByDigest(std::string_view digest) = 0;
  virtual Result<std::vector<KeyRecord>> ListKeys(std::optional<std::string> partner_id) = 0;
  // NotFound when no such key.
  virtual Status RevokeKey(std::string_view key_id, UnixMicros at) = 0;
  virtual Status TouchKeys(const std::vector<std::pair<std::string, UnixMicros>>& last_used) = 0;

  // Sets (or, with nullopt, clears) a key's rate-limit override. NotFound when no such key.
  virtual Status UpdateKeyLimits(std::string_view key_id, std::optional<double> rate_limit_rps,
                                 std::optional<int64_t> rate_limit_burst) = 0;

  // Retention: deletes at most `max_rows` of the oldest rows of `table` whose received_at is
  // before `cutoff`, in one short transaction, and returns how many it deleted (0: done).
  // Callers loop, so a prune never holds the write lock for long.
  enum class Table { kEvents, kConversions };
  virtual Result<uint64_t> DeleteOlderThan(Table table, UnixMicros cutoff, size_t max_rows) = 0;

  // A consistent online copy of the whole store at `dest_path` (file mode 0600). SQLite only;
  // other backends answer InvalidArgument and point to their own tools.
  virtual Status Backup(const std::string& dest_path) = 0;

  // Clicks. AlreadyExists when (partner_id, click_id) exists.
  virtual Status InsertClick(const ClickRecord& click) = 0;

  // Export: calls `row` once per stored record, oldest first, with a serialized JSON object
  // that holds every stored field. Stops early and returns its Status if `row` fails.
  virtual Status ExportEvents(const ExportFilter& filter,
                              const std::function<Status(const std::string&)>& row) = 0;
  virtual Status ExportConversions(const ExportFilter& filter,
                                   const std::function<Status(const std::string&)>& row) = 0;
};

}  // namespace thrad
