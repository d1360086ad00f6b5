#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace thrad {

// Base64url without padding (RFC 4648 section 5), as secrets and signatures are written.
std::string Base64UrlEncode(std::string_view bytes);

// The bytes of `text`, or nullopt when it is not canonical unpadded base64url: a character
// outside the alphabet, padding, a length that leaves 1 character over, or unused low bits
// set in the last character (so each byte string has exactly one accepted spelling).
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace thrad
