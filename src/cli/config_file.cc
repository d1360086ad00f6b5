#include "cli/config_file.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace thrad {

Status ApplyConfigFile(CLI::App* cmd, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Status::InvalidArgument("cannot read config file " + path + ": " + std::strerror(errno));
  }
  const std::string where = "config file " + path;
  CLI::ConfigTOML parser;
  std::vector<CLI::ConfigItem> items;
  try {
    items = parser.from_config(in);
  } catch (const CLI::Error& e) {
    return Status::InvalidArgument(where + ": " + e.what());
  }
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // section markers
    if (!item.parents.empty() && !(item.parents.size() == 1 && item.parents[0] == "serve")) {
      return Status::InvalidArgument(where + ": unknown section or setting '" + item.fullname() +
                                     "' (settings go at the top level or under [serve])");
    }
    std::string name = item.name;
    std::replace(name.begin(), name.end(), '_', '-');
    CLI::Option* opt = name.empty() ? nullptr : cmd->get_option_no_throw("--" + name);
    if (opt == nullptr || !opt->get_configurable() || name == "help" || name == "config") {
      return Status::InvalidArgument(where + ": unknown setting '" + item.name + "'");
    }
    if (opt->count() > 0) continue;  // a flag or an environment variable set it: they win
    try {
      if (opt->get_expected_min() == 0) {
        opt->add_result(opt->get_flag_value(name, parser.to_flag(item)));
      } else {
        opt->add_result(item.inputs);
      }
      opt->run_callback();
    } catch (const CLI::Error& e) {
      // CLI11's message names the option ("--max-queue: expected ..."), as for a flag.
      return Status::InvalidArgument(where + ": " + e.what());
    }
  }
  return Status::Ok();
}

}  // namespace thrad
