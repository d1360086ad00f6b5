#include "store/store_factory.h"

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace thrad {

Result<std::unique_ptr<Store>> OpenStore(const StoreConfig& config) {
  if (!config.database_url.empty()) {
    Result<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(config.database_url);
    if (!store.ok()) return store.status();
    return std::unique_ptr<Store>(std::move(store).value());
  }
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(
      config.sqlite_path, SqliteStoreOptions{.pipelined_sync = config.sqlite_pipelined_sync});
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace thrad
