#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/records.h"
#include "store/write_op.h"

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

  // True when a trivial write transaction can commit now (for /readyz).
  virtual Status CheckWritable() = 0;

  // Keys.
  virtual Status InsertKey(const KeyRecord& key) = 0;
  virtual Result<std::optional<KeyRecord>> FindKeyByDigest(std::string_view digest) = 0;
  virtual Result<std::vector<KeyRecord>> ListKeys(std::optional<std::string> partner_id) = 0;
  // NotFound when no such key.
  virtual Status RevokeKey(std::string_view key_id, UnixMicros at) = 0;
  virtual Status TouchKeys(const std::vector<std::pair<std::string, UnixMicros>>& last_used) = 0;

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
