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
// stored as params.extra. Adds what it dropped or cut to `stats`.
boost::json::object SanitizeExtra(const boost::json::object& unknown, SanitizeStats& stats);

}  // namespace thrad
