#include "cli/store_options.h"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <system_error>

#include "cli/command_support.h"

namespace thrad {

namespace {

// A start-up failure that names the SQLite file, with what to do when it is damaged (the
// server and every command refuse to run on such a file rather than half-work on it).
Status WithStoreContext(const StoreConfig& cfg, const Status& st) {
  if (!cfg.database_url.empty()) return st;
  std::string msg = "SQLite database " + cfg.sqlite_path + ": " + st.message();
  if (st.code() == StatusCode::kCorruption) {
    msg += " (the file is damaged or is not a thrad-events database: restore it from a backup)";
  }
  return Status(st.code(), std::move(msg));
}

}  // namespace

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

Result<std::unique_ptr<Store>> OpenMigratedStore(const StoreConfig& cfg, IfMissing if_missing) {
  if (cfg.database_url.empty()) {
    if (cfg.sqlite_path.empty()) return Status::InvalidArgument("--db must not be empty");
    if (if_missing == IfMissing::kFail) {
      std::error_code ec;
      if (!std::filesystem::exists(cfg.sqlite_path, ec)) {
        return Status::NotFound(
            "no such database: " + cfg.sqlite_path +
            " (serve, keys create, clicks add and signing-keys create make one)");
      }
    }
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
  if (!store.ok()) return WithStoreContext(cfg, store.status());
  Status migrated = (*store)->Migrate();
  if (!migrated.ok()) return WithStoreContext(cfg, migrated);
  return store;
}

std::unique_ptr<Store> OpenMigratedStoreOrFail(const StoreConfig& cfg, IfMissing if_missing) {
  Result<std::unique_ptr<Store>> store = OpenMigratedStore(cfg, if_missing);
  if (!store.ok()) FailCommand("cannot open store: " + store.status().message());
  return std::move(store).value();
}

}  // namespace thrad
