#include "cli/maintenance_command.h"

#include <fmt/core.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "cli/command_support.h"
#include "cli/number_option.h"
#include "cli/store_options.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/time_format.h"
#include "store/maintenance_store.h"

namespace thrad {
namespace {

struct PruneOptions {
  StoreConfig store;
  std::string older_than;
  // Rows per delete transaction: small enough that the server's writer never waits long
  // for the write lock, large enough that a big prune finishes in reasonable time.
  int64_t batch_size = 1000;
  // Pause between batches, so the servers' writers get the lock between them.
  int64_t pause_ms = 5;
  bool dry_run = false;  // count what would go, delete nothing
  bool json = false;
};

struct BackupOptions {
  StoreConfig store;
  std::string path;
  bool json = false;
};

// Calls `delete_batch(max_rows)` until it deletes fewer than a batch, pausing between batches,
// and returns how many rows it deleted; fails the command naming `name` when a batch fails.
template <typename DeleteBatch>
uint64_t PruneInBatches(const PruneOptions& o, const char* name, DeleteBatch delete_batch) {
  uint64_t total = 0;
  for (;;) {
    Result<uint64_t> deleted = delete_batch(static_cast<size_t>(o.batch_size));
    if (!deleted.ok()) {
      FailCommand(fmt::format("prune {} stopped after {} rows: {}", name, total,
                              deleted.status().ToString()));
    }
    total += *deleted;
    if (*deleted < static_cast<uint64_t>(o.batch_size)) return total;
    if (o.pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.pause_ms));
  }
}

// prune --dry-run: how many rows of each table would go.
void PrintPruneDryRun(MaintenanceStore& store, UnixMicros cutoff, UnixMicros now, bool json) {
  uint64_t counts[2] = {0, 0};
  const MaintenanceStore::Table tables[2] = {MaintenanceStore::Table::kEvents,
                                             MaintenanceStore::Table::kConversions};
  for (int i = 0; i < 2; ++i) {
    Result<uint64_t> n = store.CountOlderThan(tables[i], cutoff);
    if (!n.ok()) FailCommand("prune --dry-run: " + n.status().ToString());
    counts[i] = *n;
  }
  Result<uint64_t> clicks = store.CountExpiredClicks(cutoff, now);
  if (!clicks.ok()) FailCommand("prune --dry-run: " + clicks.status().ToString());
  if (json) {
    PrintJsonLine(boost::json::object{{"cutoff", FormatRfc3339(cutoff)},
                                      {"dry_run", true},
                                      {"events_to_delete", counts[0]},
                                      {"conversions_to_delete", counts[1]},
                                      {"clicks_to_delete", *clicks}});
  } else {
    fmt::print(
        "dry run: would delete {} events and {} conversions received before {}, and {} clicks "
        "made before it and past their exp; nothing was deleted\n",
        counts[0], counts[1], FormatRfc3339(cutoff), *clicks);
  }
}

void RunPrune(const PruneOptions& o) {
  Result<int64_t> age = ParseDurationMicros(o.older_than);
  if (!age.ok()) FailCommand("--older-than: " + age.status().message(), 2);
  const UnixMicros now = SystemClock::Instance().NowMicros();
  const UnixMicros cutoff = now - *age;
  std::unique_ptr<MaintenanceStore> store = OpenMigratedStoreOrFail(o.store);
  if (o.dry_run) return PrintPruneDryRun(*store, cutoff, now, o.json);
  auto older_than = [&](MaintenanceStore::Table table) {
    return [&store, table, cutoff](size_t max_rows) {
      return store->DeleteOlderThan(table, cutoff, max_rows);
    };
  };
  const uint64_t events = PruneInBatches(o, "events", older_than(MaintenanceStore::Table::kEvents));
  const uint64_t conversions =
      PruneInBatches(o, "conversions", older_than(MaintenanceStore::Table::kConversions));
  // Clicks only once past their exp as well, so a conversion still within its click's window
  // finds the click.
  const uint64_t clicks = PruneInBatches(o, "clicks", [&](size_t max_rows) {
    return store->DeleteExpiredClicks(cutoff, now, max_rows);
  });
  if (o.json) {
    PrintJsonLine(boost::json::object{{"cutoff", FormatRfc3339(cutoff)},
                                      {"events_deleted", events},
                                      {"conversions_deleted", conversions},
                                      {"clicks_deleted", clicks}});
  } else {
    fmt::print(
        "deleted {} events and {} conversions received before {}, and {} clicks made before it "
        "and past their exp\n",
        events, conversions, FormatRfc3339(cutoff), clicks);
  }
}

void RunBackup(const BackupOptions& o) {
  umask(077);  // the copy holds partner data: owner only, like the database
  std::unique_ptr<MaintenanceStore> store = OpenMigratedStoreOrFail(o.store);
  const auto started = std::chrono::steady_clock::now();
  Status st = store->Backup(o.path);
  if (!st.ok()) FailCommand("backup failed: " + st.message());
  std::error_code ec;
  const uintmax_t bytes = std::filesystem::file_size(o.path, ec);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (o.json) {
    PrintJsonLine(
        boost::json::object{{"path", o.path}, {"bytes", ec ? 0 : bytes}, {"seconds", seconds}});
  } else {
    fmt::print("backup written to {} ({} bytes in {:.2f} s)\n", o.path, ec ? 0 : bytes, seconds);
  }
}

}  // namespace

void RegisterMaintenanceCommands(CLI::App& root) {
  auto prune = std::make_shared<PruneOptions>();
  CLI::App* p = root.add_subcommand(
      "prune",
      "Delete events, conversions and expired clicks older than a duration (safe while serving)");
  p->add_option("--older-than", prune->older_than,
                "Age of the rows to delete, by receive (clicks: click) time: 30d, 12h, 90m, "
                "1h30m, 1500ms ...; a click also waits for its exp")
      ->type_name("DURATION")
      ->required();
  p->add_option("--batch-size", prune->batch_size, "Rows deleted per short transaction")
      ->check(WholeNumber(1, 1'000'000))
      ->capture_default_str();
  p->add_option("--pause-ms", prune->pause_ms, "Pause between batches, in milliseconds")
      ->check(WholeNumber(0, 60'000))
      ->capture_default_str();
  p->add_flag("--dry-run", prune->dry_run,
              "Count the rows that would be deleted, per table, and delete nothing");
  p->add_flag("--json", prune->json, "Print one JSON object");
  AddStoreOptions(p, &prune->store);
  p->callback([prune] { RunPrune(*prune); });

  auto backup = std::make_shared<BackupOptions>();
  CLI::App* b = root.add_subcommand(
      "backup", "Write a consistent copy of the SQLite store to PATH (safe while serving)");
  b->add_option("PATH", backup->path, "New file to write (mode 0600); must not exist")->required();
  b->add_flag("--json", backup->json, "Print one JSON object");
  AddStoreOptions(b, &backup->store);
  b->callback([backup] { RunBackup(*backup); });
}

}  // namespace thrad
