#pragma once

#include <string_view>

#include "api/field_error.h"
#include "api/json_body.h"

namespace thrad {

// Most parameters one pixel query may carry: more is one error at ["query"]. (The request
// line's size is bounded by the server's header limit anyway.)
inline constexpr size_t kMaxPixelParams = 100;

// The query of GET /v1/t/p.gif (TAG.md section 4) as the collect event object it stands for.
// Pure: no I/O. Parameters are form-encoded (percent-escapes, '+' for a space); each is a
// collect field of the same name (`tag_id`, `event_name`, `event_id`, `page_url`, ...) with its
// text as a JSON string, except:
// - `timestamp` and `view_time_ms`: text of 1-19 ASCII digits becomes a JSON integer (with its
//   raw number text, so ParseCollectObject reads it exactly); any other text stays a string
//   (and is then int_type);
// - `params.NAME=VALUE` and `consent.NAME=VALUE` become the members NAME of the objects
//   `params` and `consent` (which replace a bare `params=` or `consent=` parameter; alone, that
//   one is a string: dict_type);
// - a parameter given twice: the last one wins.
// Errors (422), each at ["query"] or ["query", name]: a malformed query, more than
// kMaxPixelParams parameters, a name or value that is not valid UTF-8 once decoded. An empty
// query is an empty object (its collect errors follow: event_name missing, ...).
Parsed<JsonBody> ParsePixelQuery(std::string_view query);

}  // namespace thrad
