#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "store/store.h"

namespace thrad {

struct StoreConfig {
  std::string sqlite_path = "data/thrad-events.db";  // --db / THRAD_DB
  std::string database_url;  // --database-url / THRAD_DATABASE_URL; wins when set
  // SQLite: whether CommitBatch leaves the WAL sync to SyncCommitted (SqliteStoreOptions::
  // pipelined_sync). Only `serve` sets it (--sqlite-sync), and only its group-commit writer
  // commits; CLI commands write through connections that sync in every COMMIT.
  bool sqlite_pipelined_sync = false;
};

// Opens the configured backend. Does not migrate; call Migrate() on the result.
Result<std::unique_ptr<Store>> OpenStore(const StoreConfig& config);

}  // namespace thrad
