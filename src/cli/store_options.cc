#include "cli/store_options.h"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <system_error>

namespace thrad {

void AddStoreOptions(CLI::App* cmd, StoreConfig* cfg) {
  cmd->add_option("--db", cfg->sqlite_path, "SQLite database file")
      ->envname("THRAD_DB")
      ->type_name("PATH")
      ->capture_default_str()
      ->group("Store");
  cmd->add_option("--database-url", cfg->database_url,
                  "PostgreSQL URL (postgresql://...); used instead of --db when set")
      ->envname("THRAD_DATABASE_URL")
      ->type_name("URL")
      ->group("Store");
}

Result<std::unique_ptr<Store>> OpenMigratedStore(const StoreConfig& cfg) {
  if (cfg.database_url.empty()) {
    if (cfg.sqlite_path.empty()) return Status::InvalidArgument("--db must not be empty");
    std::filesystem::path parent = std::filesystem::path(cfg.sqlite_path).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        return Status::IoError("cannot create directory " + parent.string() + ": " + ec.message());
      }
    }
  }
  Result<std::unique_ptr<Store>> store = OpenStore(cfg);
  if (!store.ok()) return store.status();
  Status migrated = (*store)->Migrate();
  if (!migrated.ok()) return migrated;
  return store;
}

}  // namespace thrad
