#include "api/idempotency_key.h"

namespace thrad {
namespace {

bool IsPrintableAscii(char c) { return c >= 0x20 && c <= 0x7E; }

// RFC 8941 section 4.2.5 for a whole header value; nullopt when malformed.
std::optional<std::string> UnquoteSfString(std::string_view value) {
  std::string out;
  size_t i = 1;  // value[0] is the opening quote
  while (i < value.size()) {
    const char c = value[i++];
    if (c == '\\') {
      if (i == value.size() || (value[i] != '"' && value[i] != '\\')) return std::nullopt;
      out.push_back(value[i++]);
    } else if (c == '"') {
      if (i != value.size()) return std::nullopt;  // parameters or junk after the string
      return out;
    } else if (!IsPrintableAscii(c)) {
      return std::nullopt;
    } else {
      out.push_back(c);
    }
  }
  return std::nullopt;  // no closing quote
}

}  // namespace

FieldLoc IdempotencyKeyLoc() { return {std::string("header"), std::string("Idempotency-Key")}; }

std::optional<std::string> ParseIdempotencyKey(std::string_view header,
                                               std::vector<FieldError>& errors) {
  std::string key(header);
  if (!header.empty() && header.front() == '"') {
    std::optional<std::string> unquoted = UnquoteSfString(header);
    if (!unquoted) {
      errors.push_back(ValueError(IdempotencyKeyLoc(), "invalid structured-field quoted string"));
      return std::nullopt;
    }
    key = std::move(*unquoted);
  }
  if (key.empty()) {
    errors.push_back(StringTooShortError(IdempotencyKeyLoc(), 1));
    return std::nullopt;
  }
  for (char c : key) {
    if (!IsPrintableAscii(c)) {
      errors.push_back(
          StringPatternError(IdempotencyKeyLoc(), "printable ASCII characters (0x20-0x7E)"));
      return std::nullopt;
    }
  }
  if (key.size() > kMaxIdempotencyKeyChars) {
    errors.push_back(
        StringTooLongError(IdempotencyKeyLoc(), static_cast<int64_t>(kMaxIdempotencyKeyChars)));
    return std::nullopt;
  }
  return key;
}

}  // namespace thrad
