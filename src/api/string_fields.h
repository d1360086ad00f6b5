#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"

namespace thrad {

// UTF-8 and string-field helpers shared by the collect and conversion handlers.
// "Characters" in every limit are Unicode code points, not bytes.

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Code points in `text`, which must be valid UTF-8.
size_t Utf8Length(std::string_view text);

// The longest prefix of valid UTF-8 `text` with at most `max_chars` code points; never ends
// inside a multi-byte sequence.
std::string_view Utf8Prefix(std::string_view text, size_t max_chars);

// `text` without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r). Other
// Unicode spaces are content.
std::string_view TrimWhitespace(std::string_view text);

// Empty or only ASCII whitespace.
bool IsBlank(std::string_view text);

// True when `text` holds a C0 control character (U+0000-U+001F) or DEL (U+007F).
bool HasControlChar(std::string_view text);

// The member `field` of `body`, or nullptr when it is absent or JSON null (null means absent
// everywhere in the API).
const boost::json::value* FindPresent(const boost::json::object& body, std::string_view field);

// How one string field is checked. Limits apply to the stored value (after trimming).
struct StringRule {
  size_t max_chars = 0;
  bool trim = false;                  // store without surrounding whitespace
  bool reject_blank = false;          // a blank value is string_blank instead of being accepted
  size_t min_chars = 0;               // fewer is string_too_short
  bool reject_control_chars = false;  // HasControlChar is string_pattern_mismatch
};

// Reads the optional string `field` of `body`. Absent or null: nullopt, no error. A non-string
// is string_type, a blank value (when rule.reject_blank) string_blank, a value under
// rule.min_chars string_too_short, over rule.max_chars string_too_long, one with a control
// character (when rule.reject_control_chars) string_pattern_mismatch ("String should contain
// only non-control characters"); the first of these that applies appends
// one error at ["body", field] and yields nullopt.
std::optional<std::string> OptionalString(const boost::json::object& body, std::string_view field,
                                          const StringRule& rule, std::vector<FieldError>& errors);

// Like OptionalString, but an absent or null field is `missing`.
std::optional<std::string> RequiredString(const boost::json::object& body, std::string_view field,
                                          const StringRule& rule, std::vector<FieldError>& errors);

// Like OptionalString, but a blank value counts as absent (nullopt, no error): for identifiers
// such as event_id where "" cannot mean anything else.
std::optional<std::string> OptionalNonBlankString(const boost::json::object& body,
                                                  std::string_view field, size_t max_chars,
                                                  std::vector<FieldError>& errors);

// Reads the optional date-time string `field` of `body` (ParseIsoDateTime) as Unix
// microseconds (UTC). Absent or null: nullopt, no error. A non-string is string_type, a string
// that is not such a date-time datetime_parsing; each appends one error at ["body", field] and
// yields nullopt.
std::optional<int64_t> OptionalDateTime(const boost::json::object& body, std::string_view field,
                                        std::vector<FieldError>& errors);

// Like OptionalDateTime, but an absent or null field is `missing`.
std::optional<int64_t> RequiredDateTime(const boost::json::object& body, std::string_view field,
                                        std::vector<FieldError>& errors);

}  // namespace thrad
