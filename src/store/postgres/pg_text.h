#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace thrad {

// PostgreSQL text cannot hold U+0000, which JSON strings may carry ("\u0000") and SQLite stores.
// So a string that contains NUL, or that starts with kPgEscapeMarker, is stored as the marker
// followed by the string with '\' doubled and NUL written as "\0"; every other string is
// stored as it is. The mapping is one-to-one, so unique constraints and equality look-ups keep
// their meaning; PgDecodeText undoes it. (Only hostile input ever takes the escaped form.)
inline constexpr std::string_view kPgEscapeMarker =
    "\x1A"
    "thrad-escaped:";
bool PgNeedsEscape(std::string_view text);
std::string PgEncodeText(std::string_view text);  // the stored form
std::string PgDecodeText(std::string_view stored);
// Text parameter for a single value, in its stored form.
std::optional<std::string> PgTextParam(std::string_view text);
inline std::optional<std::string> PgTextParam(const std::string& text) {
  return PgTextParam(std::string_view(text));
}
std::optional<std::string> PgTextParam(const std::optional<std::string>& text);
// Integer parameter: its decimal digits, or NULL.
inline std::optional<std::string> PgIntParam(const std::optional<int64_t>& value) {
  if (!value) return std::nullopt;
  return std::to_string(*value);
}

}  // namespace thrad
