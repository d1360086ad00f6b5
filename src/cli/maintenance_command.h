#pragma once

#include <CLI/CLI.hpp>

namespace thrad {

// Adds `prune --older-than DURATION` (retention: deletes old events and conversions in
// bounded batches, safe while servers run) and `backup PATH` (a consistent online copy of
// the SQLite store) to `root`.
void RegisterMaintenanceCommands(CLI::App& root);

}  // namespace thrad
