#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"

namespace thrad {

// Longest accepted Idempotency-Key, in characters (all ASCII).
inline constexpr size_t kMaxIdempotencyKeyChars = 255;

// ["header", "Idempotency-Key"].
FieldLoc IdempotencyKeyLoc();

// The key carried by an Idempotency-Key header value. A value that starts with '"' must be an
// RFC 8941 structured-field string ("..." with only \" and \\ escapes and nothing after the
// closing quote) and is unquoted first. The key must then be 1-255 printable ASCII characters
// (0x20-0x7E). On failure appends one error at ["header","Idempotency-Key"] and returns nullopt:
// value_error (malformed quoted string), string_too_short, string_too_long or
// string_pattern_mismatch.
std::optional<std::string> ParseIdempotencyKey(std::string_view header,
                                               std::vector<FieldError>& errors);

}  // namespace thrad
