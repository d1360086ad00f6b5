#pragma once

#include <string_view>

#include "api/field_error.h"
#include "api/request_context.h"
#include "store/records.h"

namespace thrad {

// Parses, validates and normalizes a POST /v1/api/collect body (spec section 3).
// Pure: no I/O. `body` is the raw request body; anything that is not a JSON object
// (malformed, array, scalar, invalid UTF-8, empty, nested too deep) is one error at
// ["body"]. Otherwise every field problem is listed with its loc ["body", "<field>"].
// On success the record has tag_id set (given, or derived per DeriveTagId), channel
// "server", params stamped with integration/partner_id/api_key_label and unknown
// top-level keys sanitized into params.extra.
Parsed<EventRecord> ParseCollect(std::string_view body, const RequestContext& ctx);

}  // namespace thrad
