#pragma once

#include <CLI/CLI.hpp>

namespace thrad {

// Adds `erase --partner ID (--client-id X | --session-id S | --ip ADDR)` (issue 17: one person's
// rows of one partner, deleted in short batches, safe while servers run) to `root`.
void RegisterEraseCommand(CLI::App& root);

}  // namespace thrad
