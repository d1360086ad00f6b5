#pragma once

#include <boost/json/parse.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "api/string_fields.h"

// Invariant checks for the fuzz targets. A broken invariant aborts, which libFuzzer (and the
// corpus replay driver) reports as a crash with the input that caused it.
#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

namespace thrad::fuzz {

// `text` is well-formed UTF-8 and one JSON object (what every stored *_json column must be).
inline bool IsJsonObjectText(std::string_view text) {
  if (!IsValidUtf8(text)) return false;
  boost::json::parse_options options;
  options.max_depth =
      256;  // stored JSON nests up to kMaxJsonDepth levels (and the export reads it so)
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec, {}, options);
  return !ec && v.is_object();
}

// A stored string field: valid UTF-8 with at most `max_chars` code points.
inline bool FitsField(std::string_view text, size_t max_chars) {
  return IsValidUtf8(text) && Utf8Length(text) <= max_chars;
}

}  // namespace thrad::fuzz
