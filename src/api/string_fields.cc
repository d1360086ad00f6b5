#include "api/string_fields.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/time_format.h"

namespace thrad {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Completes StringPatternError's "String should contain only ".
constexpr std::string_view kNoControlChars = "non-control characters";

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Shared by OptionalString and RequiredString once the value is known to be present.
std::optional<std::string> CheckString(const boost::json::value& v, std::string_view field,
                                       const StringRule& rule, std::vector<FieldError>& errors) {
  if (!v.is_string()) {
    errors.push_back(StringTypeError(BodyLoc(field)));
    return std::nullopt;
  }
  std::string_view text = v.get_string();
  if (rule.trim) text = TrimWhitespace(text);
  if (rule.reject_blank && IsBlank(text)) {
    errors.push_back(StringBlankError(BodyLoc(field)));
    return std::nullopt;
  }
  const size_t chars = Utf8Length(text);
  if (chars < rule.min_chars) {
    errors.push_back(StringTooShortError(BodyLoc(field), static_cast<int64_t>(rule.min_chars)));
    return std::nullopt;
  }
  if (chars > rule.max_chars) {
    errors.push_back(StringTooLongError(BodyLoc(field), static_cast<int64_t>(rule.max_chars)));
    return std::nullopt;
  }
  if (rule.reject_control_chars && HasControlChar(text)) {
    errors.push_back(StringPatternError(BodyLoc(field), kNoControlChars));
    return std::nullopt;
  }
  return std::string(text);
}

// Shared by OptionalDateTime and RequiredDateTime once the value is known to be present.
std::optional<int64_t> CheckDateTime(const boost::json::value& v, std::string_view field,
                                     std::vector<FieldError>& errors) {
  if (!v.is_string()) {
    errors.push_back(StringTypeError(BodyLoc(field)));
    return std::nullopt;
  }
  Result<int64_t> t = ParseIsoDateTime(v.get_string());
  if (!t.ok()) {
    errors.push_back(DatetimeParsingError(BodyLoc(field), t.status().message()));
    return std::nullopt;
  }
  return *t;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong forms
      if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) < len) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (size_t i = 2; i < len; ++i) {
      if (!IsContinuation(p[i])) return false;
    }
    p += len;
  }
  return true;
}

size_t Utf8Length(std::string_view text) {
  size_t n = 0;
  for (char c : text) {
    if (!IsContinuation(static_cast<unsigned char>(c))) ++n;
  }
  return n;
}

std::string_view Utf8Prefix(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!IsContinuation(static_cast<unsigned char>(text[i]))) {
      if (chars == max_chars) return text.substr(0, i);
      ++chars;
    }
  }
  return text;
}

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && IsAsciiSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsAsciiSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool IsBlank(std::string_view text) { return TrimWhitespace(text).empty(); }

bool HasControlChar(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

const boost::json::value* FindPresent(const boost::json::object& body, std::string_view field) {
  const boost::json::value* v = body.if_contains(field);
  return (v == nullptr || v->is_null()) ? nullptr : v;
}

std::optional<std::string> OptionalString(const boost::json::object& body, std::string_view field,
                                          const StringRule& rule, std::vector<FieldError>& errors) {
  const boost::json::value* v = FindPresent(body, field);
  if (v == nullptr) return std::nullopt;
  return CheckString(*v, field, rule, errors);
}

std::optional<std::string> RequiredString(const boost::json::object& body, std::string_view field,
                                          const StringRule& rule, std::vector<FieldError>& errors) {
  const boost::json::value* v = FindPresent(body, field);
  if (v == nullptr) {
    errors.push_back(MissingError(BodyLoc(field)));
    return std::nullopt;
  }
  return CheckString(*v, field, rule, errors);
}

std::optional<std::string> OptionalNonBlankString(const boost::json::object& body,
                                                  std::string_view field, size_t max_chars,
                                                  std::vector<FieldError>& errors) {
  const boost::json::value* v = FindPresent(body, field);
  if (v == nullptr || (v->is_string() && IsBlank(v->get_string()))) return std::nullopt;
  return CheckString(*v, field, {.max_chars = max_chars}, errors);
}

std::optional<int64_t> OptionalDateTime(const boost::json::object& body, std::string_view field,
                                        std::vector<FieldError>& errors) {
  const boost::json::value* v = FindPresent(body, field);
  if (v == nullptr) return std::nullopt;
  return CheckDateTime(*v, field, errors);
}

std::optional<int64_t> RequiredDateTime(const boost::json::object& body, std::string_view field,
                                        std::vector<FieldError>& errors) {
  const boost::json::value* v = FindPresent(body, field);
  if (v == nullptr) {
    errors.push_back(MissingError(BodyLoc(field)));
    return std::nullopt;
  }
  return CheckDateTime(*v, field, errors);
}

}  // namespace thrad
