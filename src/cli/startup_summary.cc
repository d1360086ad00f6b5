#include "cli/startup_summary.h"

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace thrad {
namespace {

// The value an option has now, as text comparable with its --help default.
std::string EffectiveValue(const CLI::Option& opt) {
  if (opt.get_expected_min() == 0) return opt.as<bool>() ? "true" : "false";  // a switch
  std::string value;
  for (const std::string& part : opt.results()) {
    if (!value.empty()) value += ',';
    value += part;
  }
  return value;
}

}  // namespace

std::string RedactDatabaseUrl(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "(set)";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find('?'));
  std::string out(url.substr(0, scheme + 3));
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    out += "***";
    rest.remove_prefix(at);
  }
  out += rest;
  return out;
}

std::string StartupSummary(const CLI::App& serve, const std::string& config_file) {
  std::string line = std::string("thrad-events ") + THRAD_VERSION + " starting; ";
  line += config_file.empty() ? "no config file" : "config file " + config_file;
  std::vector<std::string> changed;
  for (const CLI::Option* opt : serve.get_options()) {
    if (opt->count() == 0 || opt->get_lnames().empty()) continue;
    const std::string& name = opt->get_lnames().front();
    if (name == "help" || name == "config") continue;  // the config file is named above
    std::string value = EffectiveValue(*opt);
    if (value == opt->get_default_str()) continue;
    if (name == "database-url") value = RedactDatabaseUrl(value);
    changed.push_back(name + "=" + value);
  }
  if (changed.empty()) return line + "; all settings at their defaults";
  line += "; settings other than their defaults: ";
  for (size_t i = 0; i < changed.size(); ++i) {
    if (i > 0) line += ", ";
    line += changed[i];
  }
  return line;
}

}  // namespace thrad
