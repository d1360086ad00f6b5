#pragma once

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"

namespace thrad {

// Objects and arrays nest at most this deep (the top-level object is level 1). Deeper input
// is refused; the parser keeps its own stack, so no input can overflow the thread's stack.
inline constexpr size_t kMaxJsonDepth = 64;

// The exact source text of the numbers that are direct members of one JSON object, by key
// ("conversion_value" -> "4.999e1"). A double cannot hold 999999999999.999999; money and
// integer fields are read from this text instead.
using RawNumbers = std::map<std::string, std::string, std::less<>>;

// The source text of the number member `key` of `object`, or nullptr when `key` is absent or
// not a number.
const std::string* RawNumberOf(const boost::json::object& object, const RawNumbers& raw,
                               std::string_view key);

// A request body that is a JSON object.
struct JsonBody {
  // Owns the memory of `object` and of every copy made of its parts (a copy keeps its
  // source's storage), so nothing taken from `object` may outlive this JsonBody. It is a
  // monotonic arena behind a non-owning storage pointer: values in it are never freed one by
  // one and carry no reference count, so copying and destroying them costs no atomic
  // operation and no walk. Null only for a default-constructed JsonBody.
  std::unique_ptr<boost::json::monotonic_resource> arena;
  boost::json::object object;
  RawNumbers raw_numbers;  // of the direct members of `object`
  // For ParseJsonBatchBody: the raw numbers of the direct members of each element of the
  // top-level array member named by the caller (an element that is not an object has an empty
  // entry); empty otherwise.
  std::vector<RawNumbers> element_raw_numbers;

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

// ParseJsonObjectBody that also records, when the top-level member `array_key` is an array,
// the raw numbers of the direct members of each of its elements (element_raw_numbers[i] for
// element i; duplicate keys: the last value wins, as above). For a batch of objects that must
// each be read like a single body.
Parsed<JsonBody> ParseJsonBatchBody(std::string_view body, std::string_view array_key);

// True when `v` is, or contains at any depth, a double that is infinite or NaN.
bool HasNonFiniteNumber(const boost::json::value& v);

}  // namespace thrad
