#include "store/postgres/pg_text.h"

namespace thrad {

bool PgNeedsEscape(std::string_view text) {
  return text.find('\0') != std::string_view::npos || text.starts_with(kPgEscapeMarker);
}

std::string PgEncodeText(std::string_view text) {
  if (!PgNeedsEscape(text)) return std::string(text);
  std::string out(kPgEscapeMarker);
  out.reserve(out.size() + text.size() + 8);
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\0') {
      out += "\\0";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PgDecodeText(std::string_view stored) {
  if (!stored.starts_with(kPgEscapeMarker)) return std::string(stored);
  stored.remove_prefix(kPgEscapeMarker.size());
  std::string out;
  out.reserve(stored.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    if (stored[i] == '\\' && i + 1 < stored.size()) {
      ++i;
      out += stored[i] == '0' ? '\0' : stored[i];
    } else {
      out += stored[i];
    }
  }
  return out;
}

std::optional<std::string> PgTextParam(std::string_view text) { return PgEncodeText(text); }

std::optional<std::string> PgTextParam(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return PgEncodeText(*text);
}

}  // namespace thrad
