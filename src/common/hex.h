#pragma once

#include <cstddef>
#include <string>

namespace thrad {

// Lowercase hex of `size` bytes at `data`: two characters a byte, high nibble first.
std::string HexEncode(const unsigned char* data, size_t size);

}  // namespace thrad
