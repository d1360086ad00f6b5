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

// Opens the configured store and migrates it to the newest schema. For SQLite, creates the
// database file's parent directory when missing.
Result<std::unique_ptr<Store>> OpenMigratedStore(const StoreConfig& cfg);

// OpenMigratedStore for a command: fails it (exit 1, "cannot open store: ...") when the store
// cannot be opened. A command keeps only the role it uses, e.g.
// `std::unique_ptr<KeyStore> keys = OpenMigratedStoreOrFail(o.store);`.
std::unique_ptr<Store> OpenMigratedStoreOrFail(const StoreConfig& cfg);

}  // namespace thrad
