#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "store/store.h"

namespace thrad {

struct StoreConfig {
  std::string sqlite_path = "data/thrad-events.db";  // --db / THRAD_DB
  std::string database_url;  // --database-url / THRAD_DATABASE_URL; wins when set
};

// Opens the configured backend. Does not migrate; call Migrate() on the result.
Result<std::unique_ptr<Store>> OpenStore(const StoreConfig& config);

}  // namespace thrad
