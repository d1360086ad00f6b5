#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/status.h"
#include "model/records.h"

namespace thrad {

// The Unix second `t` falls in (rounded down): what a click's exp, in Unix seconds, compares to.
inline int64_t UnixSecondOf(UnixMicros t) {
  return t >= 0 ? t / 1'000'000 : -((-t - 1) / 1'000'000) - 1;
}

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

  // Click retention (CLICKS.md section 7): deletes at most `max_rows` of the oldest clicks that
  // are both older than `cutoff` (clicked_at < cutoff) and past their exp (exp < UnixSecondOf(
  // now): a click is kept through the second of its exp; a click without exp needs only the
  // first), and returns how many it deleted (fewer than `max_rows`: done). So no conversion whose
  // landing parameters are still valid loses its click. The delete is one short transaction, as
  // in DeleteOlderThan; the search for the clicks runs before it. InvalidArgument when
  // `max_rows` is 0.
  virtual Result<uint64_t> DeleteExpiredClicks(UnixMicros cutoff, UnixMicros now,
                                               size_t max_rows) = 0;
  // How many clicks DeleteExpiredClicks would delete in all for `cutoff` and `now` (prune
  // --dry-run); reads only.
  virtual Result<uint64_t> CountExpiredClicks(UnixMicros cutoff, UnixMicros now) = 0;

  // A consistent online copy of the whole store at `dest_path` (file mode 0600). SQLite only;
  // other backends answer InvalidArgument and point to their own tools.
  virtual Status Backup(const std::string& dest_path) = 0;
};

}  // namespace thrad
