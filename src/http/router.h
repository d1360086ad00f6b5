#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "http/route_table.h"

namespace thrad {

// A request path matched to its route.
struct RouteMatch {
  const RouteSpec* spec = nullptr;  // never null
  std::string_view param;           // the "{name}" segment's value, when the path has one
};

// Resolves a request path (without the query string) to its route, aliases included.
// nullopt: unknown path (404). Exact, case-sensitive; a trailing slash is another path.
std::optional<RouteMatch> MatchRoute(std::string_view path);

// The position of `spec` in Routes(), or Routes().size() ("unknown") for null: the index of
// its metrics series.
size_t RouteIndex(const RouteSpec* spec);
// The metrics and log label of a route index ("unknown" past the last route).
std::string_view RouteName(size_t index);

// A request target split once: "path?query".
struct Target {
  std::string_view path;
  std::string_view query;      // without the '?'; empty when absent
  bool validate_only = false;  // validate_only=true or =1 (true/false in any case; 1/0)
  // validate_only had another value (or none: "validate_only", "validate_only="): the write
  // routes answer 422 at ["query","validate_only"] rather than guess.
  bool validate_only_invalid = false;
};
// When the query names validate_only more than once, the last one decides.
Target ParseTarget(std::string_view target);

}  // namespace thrad
