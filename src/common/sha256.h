#pragma once

#include <string>
#include <string_view>

namespace thrad {

// Lowercase hex SHA-256 of `data` (64 characters). Thread-safe.
std::string Sha256Hex(std::string_view data);

}  // namespace thrad
