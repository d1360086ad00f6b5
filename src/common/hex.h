#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace thrad {

// Lowercase hex of `size` bytes at `data`: two characters a byte, high nibble first.
std::string HexEncode(const unsigned char* data, size_t size);

// The bytes `hex` spells (either case, two digits a byte); nullopt when it is not that.
std::optional<std::string> HexDecode(std::string_view hex);

}  // namespace thrad
