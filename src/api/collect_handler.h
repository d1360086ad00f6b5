#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "api/field_error.h"
#include "api/json_body.h"
#include "api/request_context.h"
#include "model/records.h"

namespace thrad {

// Parses, validates and normalizes a POST /v1/api/collect body (spec section 3).
// Pure: no I/O. `body` is the raw request body; anything that is not a JSON object
// (malformed, array, scalar, invalid UTF-8, empty, nested too deep) is one error at
// ["body"] (see ParseJsonObjectBody). Otherwise every field problem is listed, in the order of
// the spec's table, each at ["body", "<field>"]; null means absent for every field.
//
// Normalization on success:
// - event_name is stored trimmed (ASCII whitespace); its 128-character limit applies to the
//   trimmed value. Character limits count code points.
// - tag_id: given (as sent), or, when absent or blank, DeriveTagId(page_url, Origin, Referer).
// - event_id: a blank value counts as absent (it would otherwise collapse every such event into
//   one dedup key).
// - timestamp, view_time_ms: integers >= 0 up to INT64_MAX; a number whose exact value is whole
//   ("1.0", "1e3") is accepted, 1.5 is int_from_float.
// - channel must be a string when present and is stored as "server" ("web" for a browser tag's
//   event, ctx.source kTag: TAG.md section 3).
// - consent and params must be objects and hold no number a double cannot represent
//   (finite_number: 1e400 cannot be stored back as JSON).
// - params: the client's object as sent, except params.extra, which is always sanitized: the
//   client's params.extra members and the body's unknown top-level keys (which win on a name
//   clash) are sanitized together (SanitizeExtra) into params.extra. A client params.extra
//   that is not an object is dropped (counted in dropped_values); with nothing from either
//   side there is no params.extra. Then integration/partner_id/api_key_label are stamped from
//   the key, replacing client values (StampParams; a tag's event: integration "tag").
// - partner_id, key_id, client_ip and received_at come from `ctx`.
Parsed<EventRecord> ParseCollect(std::string_view body, const RequestContext& ctx);

// The core of ParseCollect: the same rules for one event that is already a JSON object, with
// the source text of its direct number members (see JsonBody). Errors are located as for a
// single body (["body","<field>"]); the batch handler re-roots them. Used by both endpoints.
Parsed<EventRecord> ParseCollectObject(const boost::json::object& event,
                                       const RawNumbers& raw_numbers, const RequestContext& ctx);

}  // namespace thrad
