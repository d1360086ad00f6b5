#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "api/field_error.h"

namespace thrad {

// Objects and arrays nest at most this deep (the top-level object is level 1). Deeper input
// is refused; the parser keeps its own stack, so no input can overflow the thread's stack.
inline constexpr size_t kMaxJsonDepth = 64;

// A request body that is a JSON object.
struct JsonBody {
  boost::json::object object;
  // The exact source text of every number that is a direct member of `object`, by key
  // ("conversion_value" -> "4.999e1"). A double cannot hold 999999999999.999999; money and
  // integer fields are read from this text instead.
  std::map<std::string, std::string, std::less<>> raw_numbers;

  // The source text of the number member `key`, or nullptr when `key` is absent or not a
  // number.
  const std::string* RawNumber(std::string_view key) const;
};

// Parses a request body that must be one JSON object (RFC 8259, strict: no comments, no
// trailing commas, no NaN/Infinity, UTF-8 only, at most kMaxJsonDepth levels, nothing but
// whitespace after the value).
//
// On failure the result has exactly one error at ["body"]: json_invalid for an empty body,
// malformed JSON, invalid UTF-8, nesting too deep or trailing data; model_attributes_type for
// valid JSON that is not an object (array, string, number, true/false/null).
//
// Duplicate keys: the last value wins and the key keeps the position of its first occurrence
// ({"a":1,"b":2,"a":3} is {"a":3,"b":2}); raw_numbers follows the same rule.
//
// Numbers too large for a double (1e400) parse into +/-infinity in `object`, while
// raw_numbers keeps their text. boost::json::serialize writes infinity as a non-JSON token,
// so callers must check HasNonFiniteNumber before serializing client values.
Parsed<JsonBody> ParseJsonObjectBody(std::string_view body);

// True when `v` is, or contains at any depth, a double that is infinite or NaN.
bool HasNonFiniteNumber(const boost::json::value& v);

}  // namespace thrad
