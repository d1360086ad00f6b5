#pragma once

#include <CLI/CLI.hpp>

namespace thrad {

// Adds `tags add|list|update|remove` (TAG.md section 1) to `root`.
void RegisterTagsCommand(CLI::App& root);

}  // namespace thrad
