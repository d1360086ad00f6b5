#pragma once

#include <CLI/CLI.hpp>

namespace thrad {

// Adds `keys create|list|revoke` (spec section 8) to `root`.
void RegisterKeysCommand(CLI::App& root);

}  // namespace thrad
