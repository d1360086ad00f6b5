#pragma once

#include <CLI/CLI.hpp>

namespace thrad {

void RegisterServeCommand(CLI::App& root);

}  // namespace thrad
