#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/sqlite_db.h"

struct sqlite3;

namespace thrad {

// Moves WAL checkpoints off the writer thread.
//
// SQLite's automatic checkpoint runs inside the COMMIT that pushes the WAL past 1,000 pages:
// that commit then also copies the WAL into the database file and syncs it, which stalls
// every request waiting on the group commit (visible in p99 and in batch throughput). This
// replaces the writer connection's automatic checkpoint with a WAL hook that wakes a thread
// of its own, which runs PASSIVE checkpoints on a connection of its own while the writer
// goes on committing. Durability does not change: every commit still syncs the WAL
// (synchronous=FULL) before it returns; a checkpoint only copies already durable pages and
// syncs the database file.
//
// At kWriterCheckpointPages the writer checkpoints itself, as before: under continuous writes
// a PASSIVE checkpoint seldom catches up completely (the WAL can only start over once it
// has), so this copies the little the thread has not and lets the WAL restart; it also keeps
// the WAL bounded when a long reader holds it.
//
// Thread-safety: the hook runs on the writer connection's thread; the destructor may run on
// any thread once the writer connection is no longer used.
class SqliteCheckpointer {
 public:
  // A checkpoint starts each time the WAL has grown by this much: SQLite's own default. (Not
  // after every commit past it: while the writer appends, a PASSIVE checkpoint rarely
  // catches up completely, and checkpointing after every commit costs a database sync each.)
  static constexpr int kCheckpointPages = 1000;
  // WAL size at which the writer stops waiting for the background thread and checkpoints
  // itself (32 MiB of 4 KiB pages).
  static constexpr int kWriterCheckpointPages = 8 * 1024;

  // Takes over `writer`'s checkpoints; `conn` is the checkpointer's own connection to the
  // same database. `writer` must outlive this object.
  SqliteCheckpointer(sqlite3* writer, std::unique_ptr<SqliteDb> conn);
  ~SqliteCheckpointer();  // stops the thread and gives `writer` its automatic checkpoint back

  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  uint64_t checkpoints() const;  // completed background checkpoint attempts (for tests)

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void Run();

  sqlite3* const writer_;
  // Touched only by OnCommit, on the writer connection's thread.
  int last_wal_pages_ = 0;                     // WAL size after the previous commit
  int next_checkpoint_at_ = kCheckpointPages;  // WAL size that wakes the thread next
  std::unique_ptr<SqliteDb> conn_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;    // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  uint64_t done_ = 0;      // guarded by mu_
  std::thread thread_;
};

}  // namespace thrad
