#pragma once

#include <optional>
#include <string_view>

#include "api/conversion_fields.h"
#include "api/field_error.h"
#include "api/request_context.h"
#include "model/records.h"

namespace thrad {

// Parses, validates and normalizes a POST /v1/api/conversion request (spec section 4).
// Pure: no I/O. `body` is the raw request body; `idempotency_key_header` the Idempotency-Key
// header value when the request has one.
//
// A body that is not a JSON object is one error at ["body"] (see ParseJsonObjectBody), together
// with an Idempotency-Key error if there is one. Otherwise every problem is listed: the header's
// at ["header","Idempotency-Key"] first, then each field's at ["body","<field>"] in the order
// of the spec's table. null means absent for every field.
//
// Normalization on success:
// - click_id as sent (not blank, at most 256 code points).
// - conversion_time: ParseIsoDateTime, stored as UTC Unix micros.
// - value_micros: the exact decimal value of the JSON number text times 10^6; digits past the
//   6th decimal are rounded half up. The range 0..10^12 is checked on the exact value, so
//   -0.0000001 is greater_than_equal and 1000000000000.0000001 is less_than_equal.
//   Booleans and strings ("49.99") are float_type.
// - currency upper-cased (NormalizeCurrency); anything else is value_error.
// - event_type trimmed, default "purchase_completed"; blank is string_blank.
// - order_id, event_id: a blank value counts as absent.
// - Dedup key: the Idempotency-Key (source kHeader), else event_id (kEventId), else order_id
//   (kOrderId), else none (kNone).
// - params_json = {"integration":"partner_s2s","partner_id":..,"api_key_label":..,"extra":{..}}
//   where extra is SanitizeExtra of every other top-level key (a client "params" included),
//   {} when there is none.
// - thrad_exp (an integer >= 0, read like collect's timestamp: int_type, int_from_float,
//   greater_than_equal) and thrad_sig (a string of at most 128 characters), the landing
//   parameters of CLICKS.md section 5: both or neither (the missing one of a pair is `missing`
//   at its loc). They go to landing_exp and landing_sig for the HTTP layer to verify (signature,
//   expiry) before the store is asked; they are never stored, not even under params.extra.
// - partner_id, key_id, client_ip and received_at come from `ctx`.
Parsed<ConversionRecord> ParseConversion(std::string_view body,
                                         std::optional<std::string_view> idempotency_key_header,
                                         const RequestContext& ctx);

}  // namespace thrad
