#pragma once

#include <CLI/CLI.hpp>

namespace thrad {

// Adds `signing-keys create|list|retire|revoke` (CLICKS.md section 1) to `root`.
void RegisterSigningKeysCommand(CLI::App& root);

}  // namespace thrad
