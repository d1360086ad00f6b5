#pragma once

#include <CLI/CLI.hpp>
#include <string_view>

namespace thrad {

// Adds `clicks add` (spec section 8, CLICKS.md section 7) and `clicks url` (CLICKS.md section 2)
// to `root`.
void RegisterClicksCommand(CLI::App& root);

// True for a click id the CLI accepts: a UUID (8-4-4-4-12 hex digits, any version, either
// case) or "clk_" followed by 1-252 characters of [A-Za-z0-9_-] (256 characters at most,
// the API's click_id limit). The id is stored exactly as given.
bool IsValidClickId(std::string_view id);

}  // namespace thrad
