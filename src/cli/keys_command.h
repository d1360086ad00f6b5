#pragma once

#include <CLI/CLI.hpp>

namespace thrad {

// Adds `keys create|list|update|revoke` (spec section 8, plus update) to `root`.
void RegisterKeysCommand(CLI::App& root);

}  // namespace thrad
