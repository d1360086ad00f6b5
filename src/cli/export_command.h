#pragma once

#include <CLI/CLI.hpp>

namespace thrad {

// Adds `export events|conversions [--since RFC3339] [--partner ID]` (spec section 8) to
// `root`: streams every stored record as one JSON object per line to stdout.
void RegisterExportCommand(CLI::App& root);

}  // namespace thrad
