#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace thrad {

// ASCII-only case folding for protocol tokens (URL schemes, header values, user-agent
// tokens): bytes outside A-Z are compared as they are, so UTF-8 text is never altered.

inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string AsciiLowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// The position of the first occurrence of `needle` in `text` at or after `from`, ignoring
// ASCII case; std::string_view::npos when there is none. An empty needle is found at `from`.
inline size_t FindIgnoreCase(std::string_view text, std::string_view needle, size_t from = 0) {
  if (needle.size() > text.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= text.size(); ++i) {
    if (EqualsIgnoreCase(text.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

}  // namespace thrad
