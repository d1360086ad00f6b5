#include "cli/app.h"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/clicks_command.h"
#include "cli/erase_command.h"
#include "cli/export_command.h"
#include "cli/keys_command.h"
#include "cli/maintenance_command.h"
#include "cli/serve_command.h"
#include "cli/signing_keys_command.h"
#include "cli/tags_command.h"

#ifndef THRAD_VERSION
#define THRAD_VERSION "unknown"
#endif

namespace thrad {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// The command path the user reached, e.g. "thrad-events keys create".
std::string CommandPath(const CLI::App* app) {
  std::string path = app->get_name();
  for (std::vector<CLI::App*> subs = app->get_subcommands(); !subs.empty();
       subs = subs.front()->get_subcommands()) {
    path += ' ';
    path += subs.front()->get_name();
  }
  return path;
}

// A usage error: what is wrong, and where the help is.
std::string UsageFailure(const CLI::App* app, const CLI::Error& e) {
  return fmt::format("error: {}\nRun '{} --help' for usage.\n", e.what(), CommandPath(app));
}

}  // namespace

int RunApp(int argc, char** argv) {
  try {
    CLI::App root("thrad-events: server-to-server event and conversion API", "thrad-events");
    root.set_version_flag("--version", std::string("thrad-events ") + THRAD_VERSION);
    root.require_subcommand(1);
    root.failure_message(UsageFailure);

    RegisterServeCommand(root);
    RegisterKeysCommand(root);
    RegisterSigningKeysCommand(root);
    RegisterTagsCommand(root);
    RegisterClicksCommand(root);
    RegisterExportCommand(root);
    RegisterMaintenanceCommands(root);
    RegisterEraseCommand(root);

    try {
      root.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      // RuntimeError: a command failed and already printed why. Help and version exit 0.
      int code = root.exit(e, std::cout, std::cerr);
      if (code == 0 || e.get_name() == "RuntimeError") return code;
      return kExitUsage;
    }
    std::fflush(stdout);
    return 0;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "error: {}\n", e.what());
    return kExitFailure;
  } catch (...) {
    std::fflush(stdout);
    std::fputs("error: unexpected failure\n", stderr);
    return kExitFailure;
  }
}

}  // namespace thrad
