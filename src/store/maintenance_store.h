#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/status.h"
#include "model/records.h"

namespace thrad {

// The maintenance role: retention (`prune`) and online backup (`backup`).
//
// Thread-safety: every method may be called from any thread at any time, while serving.
class MaintenanceStore {
 public:
  virtual ~MaintenanceStore() = default;

  // Retention: deletes at most `max_rows` of the oldest rows of `table` whose received_at is
  // before `cutoff`, in one short transaction, and returns how many it deleted (0: done).
  // Callers loop, so a prune never holds the write lock for long. InvalidArgument when
  // `max_rows` is 0.
  enum class Table { kEvents, kConversions };
  virtual Result<uint64_t> DeleteOlderThan(Table table, UnixMicros cutoff, size_t max_rows) = 0;
  // How many rows of `table` DeleteOlderThan would delete in all for `cutoff` (prune
  // --dry-run); reads only.
  virtual Result<uint64_t> CountOlderThan(Table table, UnixMicros cutoff) = 0;

  // A consistent online copy of the whole store at `dest_path` (file mode 0600). SQLite only;
  // other backends answer InvalidArgument and point to their own tools.
  virtual Status Backup(const std::string& dest_path) = 0;
};

}  // namespace thrad
