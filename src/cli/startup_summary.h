#pragma once

#include <string>
#include <string_view>

namespace CLI {
class App;
}  // namespace CLI

namespace thrad {

// The start-up log line of `serve`, after its command line, THRAD_* variables and config file
// were applied to `serve`'s options:
//
//   thrad-events 0.1.0 starting; config file /etc/thrad-events/thrad-events.toml; settings
//   other than their defaults: listen=0.0.0.0:8690, trust-proxy=true
//
// ("no config file"; "all settings at their defaults"). A setting counts whatever set it; a
// database URL is shown without its user info and parameters (never a password).
std::string StartupSummary(const CLI::App& serve, const std::string& config_file);

// `url` with the user and password replaced by "***" and the query dropped
// ("postgresql://***@db:5432/thrad"); "(set)" for a libpq key=value string.
std::string RedactDatabaseUrl(std::string_view url);

}  // namespace thrad
