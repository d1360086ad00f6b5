#pragma once

#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "api/tag_request.h"
#include "model/records.h"

namespace thrad {

// A browser conversion request, parsed. Exactly one of: a refusal (404/403), errors (422), or
// the record (its landing parameters still to verify: landing_exp, landing_sig).
struct ParsedTagConversion {
  TagRefusal refusal = TagRefusal::kNone;
  std::vector<FieldError> errors;
  ConversionRecord record;
  SanitizeStats sanitize;

  bool ok() const { return refusal == TagRefusal::kNone && errors.empty(); }
};

// Parses POST /v1/t/conversion (TAG.md section 5). Pure: no I/O. Checks, in order:
// 1. the body is a JSON object (ParseJsonObjectBody's one error at ["body"]): 422;
// 2. when tag_id is a string: the tag and the origin (CheckTagOrigin): 404 / 403;
// 3. every field, each problem listed at ["body","<field>"] (null means absent): 422.
//    tag_id required (at most 256); thrad_click_id required, not blank, at most 256;
//    thrad_exp required, an integer >= 0 (as collect's timestamp); thrad_sig required, at
//    most 128; thrad_bid_id optional, at most 256 (checked, not stored: the click's bid is);
//    order_id required, not blank, at most 256; value as S2S conversion_value, default 0;
//    currency as S2S, default USD; event_type as S2S (default purchase_completed);
//    conversion_time as S2S, default the receive time; session_id, client_id (at most 256),
//    page_url, referrer (2048), user_agent (1024) optional as S2S; any other key is
//    sanitized into params.extra (API.md section 5).
// The record is an S2S conversion's (ParseConversion) with: click_id = thrad_click_id, the
// dedup key order_id (source order_id), tag_id and partner_id of the tag, no key id
// (FromTag), params {"integration":"tag","partner_id":..,"extra":{..}}, and landing_exp /
// landing_sig for the HTTP layer to verify before any store look-up.
ParsedTagConversion ParseTagConversion(std::string_view body, const TagCall& call,
                                       const TagLookup& find_tag);

}  // namespace thrad
