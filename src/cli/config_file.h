#pragma once

#include <string>

#include "common/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace thrad {

// Applies a TOML/INI-style config file to the options of `cmd` (after CLI11 parsed the
// command line and the environment), giving the documented precedence
//
//   command-line flag  >  THRAD_* environment variable  >  config file  >  built-in default
//
// A setting is `name = value`, where name is a long option without its dashes ("listen",
// "max-queue"; '_' may stand for '-'); "true"/"false" for switches; '#' starts a comment. The
// settings may sit at the top level or under a `[serve]` section. A setting whose option was
// already given by a flag or an environment variable is skipped. Unknown settings, values
// the option rejects and unreadable files are InvalidArgument naming the file and setting.
Status ApplyConfigFile(CLI::App* cmd, const std::string& path);

}  // namespace thrad
