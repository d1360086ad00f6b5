#pragma once

#include <memory>

#include "common/status.h"
#include "store/store.h"
#include "store/store_factory.h"

namespace CLI {
class App;
}  // namespace CLI

namespace thrad {

// Adds the store options every subcommand takes, bound to `cfg` (which must outlive the
// parse): --db PATH (env THRAD_DB, default data/thrad-events.db) and --database-url URL
// (env THRAD_DATABASE_URL; wins over --db when set).
void AddStoreOptions(CLI::App* cmd, StoreConfig* cfg);

// What opening a SQLite database that does not exist does. Only the commands that exist to
// put data in (serve, keys create, clicks add) create one; every other command (keys list,
// export, prune, backup, ...) fails with "no such database: PATH" and creates nothing (no file,
// no directory), so a mistyped --db is an error instead of an empty answer.
enum class IfMissing { kFail, kCreate };

// Opens the configured store and migrates it to the newest schema. For SQLite with kCreate,
// creates the database file and its parent directory when missing; with kFail, a missing file
// is NotFound "no such database: PATH".
Result<std::unique_ptr<Store>> OpenMigratedStore(const StoreConfig& cfg, IfMissing if_missing);

// OpenMigratedStore for a command: fails it (exit 1, "cannot open store: ...") when the store
// cannot be opened. A command keeps only the role it uses, e.g.
// `std::unique_ptr<KeyStore> keys = OpenMigratedStoreOrFail(o.store);`.
std::unique_ptr<Store> OpenMigratedStoreOrFail(const StoreConfig& cfg,
                                               IfMissing if_missing = IfMissing::kFail);

}  // namespace thrad
