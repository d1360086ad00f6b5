#pragma once

#include <optional>
#include <string_view>

namespace thrad {

enum class Route { kCollect, kCollectBatch, kConversion, kHealthz, kReadyz, kMetrics };

enum class Method { kGet, kHead, kPost, kOther };

struct RouteInfo {
  Route route;
  Method method;      // the one method the route answers (HEAD is allowed with GET)
  const char* allow;  // value of the Allow header on 405
  const char* name;   // bounded label for metrics and logs
};

// Resolves a request path (without the query string) to its route, including the aliases
// of spec section 1. nullopt: unknown path (404).
std::optional<RouteInfo> ResolveRoute(std::string_view path);

// Splits "path?query" and reports whether the query holds validate_only=true.
struct Target {
  std::string_view path;
  bool validate_only = false;
};
Target ParseTarget(std::string_view target);

}  // namespace thrad
