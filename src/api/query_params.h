#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace thrad {

// One decoded query parameter.
struct QueryParam {
  std::string key;
  std::string value;
  bool has_value = false;  // "key=" and "key=v" have one; a bare "key" has none
};

// Splits a query string ("a=1&b=x%20y", without the '?') into decoded parameters, in order
// (application/x-www-form-urlencoded: '+' is a space, %XX a byte). Empty pieces ("&&") are
// skipped. nullopt when a %-escape is malformed.
std::optional<std::vector<QueryParam>> ParseQueryParams(std::string_view query);

}  // namespace thrad
