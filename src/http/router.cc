#include "http/router.h"

namespace thrad {
namespace {

// `pattern` matches `path` exactly, or up to a trailing "{name}" segment that matches one
// non-empty segment (its value goes to `param`).
bool Matches(std::string_view pattern, std::string_view path, std::string_view& param) {
  if (pattern.empty() || pattern.back() != '}') return pattern == path;
  const size_t open = pattern.rfind('{');
  const std::string_view prefix = pattern.substr(0, open);
  if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) return false;
  const std::string_view rest = path.substr(prefix.size());
  if (rest.find('/') != std::string_view::npos) return false;
  param = rest;
  return true;
}

}  // namespace

std::optional<RouteMatch> MatchRoute(std::string_view path) {
  for (const RouteSpec& spec : Routes()) {
    for (std::string_view pattern : spec.paths) {
      std::string_view param;
      if (Matches(pattern, path, param)) return RouteMatch{&spec, param};
    }
  }
  return std::nullopt;
}

size_t RouteIndex(const RouteSpec* spec) {
  const std::span<const RouteSpec> routes = Routes();
  if (spec == nullptr) return routes.size();
  return static_cast<size_t>(spec - routes.data());
}

std::string_view RouteName(size_t index) {
  const std::span<const RouteSpec> routes = Routes();
  return index < routes.size() ? routes[index].name : std::string_view("unknown");
}

Target ParseTarget(std::string_view target) {
  Target t;
  const size_t q = target.find('?');
  t.path = target.substr(0, q);
  if (q == std::string_view::npos) return t;
  t.query = target.substr(q + 1);
  std::string_view query = t.query;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair == "validate_only=true" || pair == "validate_only=1") t.validate_only = true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return t;
}

}  // namespace thrad
