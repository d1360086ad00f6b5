#pragma once

#include <boost/json/object.hpp>

#include "api/field_error.h"

namespace thrad {

// Limits of spec section 5 (sanitizing params.extra).
inline constexpr int kMaxExtraKeys = 64;           // keeps one request's extras bounded
inline constexpr int kMaxExtraKeyLength = 64;      // key names [A-Za-z0-9_.-]{1,64}
inline constexpr int kMaxExtraStringChars = 1024;  // long strings are cut on a UTF-8 boundary
inline constexpr int kMaxExtraDepth = 3;           // nested objects/arrays kept to depth 3
inline constexpr int kMaxExtraArrayItems = 100;    // arrays keep their first 100 items

// Sanitizes the unknown top-level fields of a request (in document order) into the object
// stored as params.extra. Adds what it dropped or changed to `stats`. Never fails.
//
// - Keys, at every level, must match [A-Za-z0-9_.-]{1,64}; others are dropped (dropped_keys).
// - Every object, at every level, keeps its first 64 keys that pass the name rule, in document
//   order; the rest are dropped (dropped_keys).
// - Depth: the values of the top-level extra keys are at depth 1, the members of a container
//   at depth d are at depth d + 1. A value deeper than 3 is dropped (dropped_values), so a
//   container at depth 3 is kept but empty.
// - Arrays keep their first 100 items (each further item counts in dropped_values).
// - Strings lose every control character (C0 U+0000-U+001F, DEL U+007F, C1 U+0080-U+009F;
//   cleaned_strings), then are cut to 1024 code points, never inside a UTF-8 sequence
//   (truncated_strings).
// - Integers, finite doubles, booleans and null are kept as they are. A number too large for a
//   double (1e400), which JSON cannot store back, is dropped (dropped_values).
boost::json::object SanitizeExtra(const boost::json::object& unknown, SanitizeStats& stats);

}  // namespace thrad
