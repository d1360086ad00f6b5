#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace thrad {

// A tag's origins in one text column, in both backends: a JSON array of strings
// (["https://a.example","https://*.b.example"]). One column keeps a tag one row (one read, one
// atomic update); nothing queries single origins in SQL.
std::string OriginsToJson(const std::vector<std::string>& origins);
// Corruption when `json` is not an array of strings.
Result<std::vector<std::string>> OriginsFromJson(std::string_view json);

}  // namespace thrad
