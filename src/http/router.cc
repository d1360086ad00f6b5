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

// "true"/"false" in any case, "1"/"0"; nullopt for anything else.
std::optional<bool> ParseQueryBool(std::string_view v) {
  auto is = [v](std::string_view word) {
    if (v.size() != word.size()) return false;
    for (size_t i = 0; i < v.size(); ++i) {
      const char c = (v[i] >= 'A' && v[i] <= 'Z') ? static_cast<char>(v[i] - 'A' + 'a') : v[i];
      if (c != word[i]) return false;
    }
    return true;
  };
  if (v == "1" || is("true")) return true;
  if (v == "0" || is("false")) return false;
  return std::nullopt;
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
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == "validate_only") {
      const std::optional<bool> value =
          eq == std::string_view::npos ? std::nullopt : ParseQueryBool(pair.substr(eq + 1));
      t.validate_only = value.value_or(false);
      t.validate_only_invalid = !value.has_value();
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return t;
}

}  // namespace thrad
