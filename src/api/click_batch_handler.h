#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/batch.h"
#include "api/field_error.h"
#include "api/request_context.h"
#include "model/records.h"

namespace thrad {

// POST /v1/api/clicks (CLICKS.md section 4): an ad server that runs its own redirect registers
// the clicks it made and gets each click's landing parameters back. Pure: no I/O, no metrics.

// Most clicks one request may register; more is 422 at ["body","clicks"] (too_long). Bounds one
// request's work and its share of a write transaction (the byte limit is the batch body limit).
inline constexpr size_t kMaxBatchClicks = 1000;

// How far past the receive time a clicked_at may be: tolerates clock skew between the ad
// server and this one, while a wrong time zone or unit (milliseconds) is refused.
inline constexpr int64_t kMaxClickedAtAheadSeconds = 300;

// A parsed registration. When `errors` is non-empty the whole request is invalid (422) and
// nothing else is meaningful. Otherwise `items` has one entry per element of "clicks" (each slot
// a position in `clicks`), and `clicks` holds the records to write in ONE ClickWrite: the valid
// clicks, in order, without the in-request repeats. Once the store decided, ApplyBatchOutcomes
// (api/batch.h) applies its outcomes to the items; on kDuplicate the store has replaced the
// record with the click already stored.
struct ParsedClickBatch {
  std::vector<BatchItem> items;
  std::vector<ClickRecord> clicks;
  std::vector<FieldError> errors;  // whole-body problems

  bool ok() const { return errors.empty(); }
};

// Parses {"clicks":[<click>, ...]}. `click_ttl_seconds` is the click TTL (serve --click-ttl).
//
// Whole-body errors (422, nothing written): those of ParseBatchBody for "clicks" (the body is
// not a JSON object, at ["body"]; "clicks" missing or null (missing), not an array
// (list_type), empty (too_short) or longer than `max_clicks` (too_long), at ["body","clicks"]).
// Other top-level members are ignored.
//
// Each element is read by ParseClickObject; one that is not an object is dict_type at
// ["body","clicks",i]. An invalid element is reported with every problem, each loc re-rooted
// to ["body","clicks",i,<field>]; it never affects the others.
//
// In-request repeats: a valid click whose (partner_id, click_id) repeats an earlier valid click
// of the request is kDuplicate with `repeat` set and the earlier click's slot; it is not
// written twice and is answered with the earlier click's values (as the store would answer: the
// first is stored, the later one is a duplicate of it). Generated click ids never repeat.
ParsedClickBatch ParseClickBatch(std::string_view body, const RequestContext& ctx,
                                 int64_t click_ttl_seconds, size_t max_clicks = kMaxBatchClicks);

// One click of the request, errors located as for a single body (["body",<field>]); null means
// absent for every field. Field rules, errors in this order:
// - partner_id: string, 1-128 characters (string_type, string_too_short, string_too_long);
//   default ctx.partner_id (the key's partner).
// - click_id: string, not blank (string_blank), at most 256 characters, no C0 control character
//   or DEL (string_pattern_mismatch); default a new random UUID v4 (lowercase).
// - bid_id, campaign_id, tag_id: strings of at most 256 characters, kept as sent.
// - landing_url: string of at most 2048 characters that IsLandingUrl accepts (an absolute
//   http(s) URL with a host, no control characters); anything else is url_parsing.
// - clicked_at: a date-time as ParseIsoDateTime reads it (RFC 3339; datetime_parsing), at most
//   kMaxClickedAtAheadSeconds after ctx.received_at (datetime_past); default ctx.received_at.
// - client_ip: an IPv4 or IPv6 address in inet_pton's text forms (ip_any_address), kept as sent;
//   no default (the request's own peer is the ad server, not the visitor).
// - user_agent: at most 1024 characters; referrer: at most 2048 characters.
// - any other member: extra_forbidden at ["body",<member>], in document order, so that a typo
//   is never silently dropped.
// The record: source "api", created_at = clicked_at (Unix micros), exp = clicked_at in whole
// Unix seconds (rounded down) + click_ttl_seconds, filter_reason unset.
Parsed<ClickRecord> ParseClickObject(const boost::json::object& click, const RequestContext& ctx,
                                     int64_t click_ttl_seconds);

// thrad_exp of a click: its exp, or, for a click stored without one, its clicked_at in whole
// Unix seconds (rounded down) + click_ttl_seconds.
int64_t LandingExpOf(const ClickRecord& click, int64_t click_ttl_seconds);

// Signs a click's landing parameters: thrad_sig for (click_id, thrad_exp). Held by the HTTP
// layer, which holds the signing keys (auth/signing.h LandingSignature with the newest key).
using LandingSigner = std::function<std::string(std::string_view click_id, int64_t exp)>;

// The 200 body once the store decided (ApplyBatchOutcomes done; `clicks` are the records of the
// ClickWrite after the store, stored clicks in place of duplicates):
//   {"accepted":n,"duplicates":m,"rejected":k,"results":[...]}
// with the counts of CountBatch and ONE result per item, in order:
// - stored: {"index":i,"status":"ok","click_id":…,"thrad_exp":…,"thrad_sig":…,"landing_url":…},
//   landing_url only when the item gave one: AddLandingParams of it with thrad_bid_id = the
//   click's bid_id ("" without one);
// - duplicate (already stored, or a repeat within the request):
//   {"index":i,"status":"duplicate","click_id":…,"thrad_exp":…,"thrad_sig":…} with the stored
//   click's values (thrad_exp from LandingExpOf);
// - invalid: {"index":i,"status":"error","errors":[{"loc","msg","type"}...]}.
// `sign` is called once per ok or duplicate item.
//
// validate_only (a dry run: nothing was written, so nothing is signed and `sign` is not called;
// it may be empty): "status":"valid" first, then the same counts and items as the collect batch
// answer does, ok meaning "would be stored": {"index":i,"status":"ok","click_id":…,
// "thrad_exp":…} (for an item without click_id, the id generated for this dry run; a real call
// generates another), {"index":i,"status":"duplicate","click_id":…,"thrad_exp":…} with the
// stored click's values, and errors as above.
std::string ClickBatchResultJson(const std::vector<BatchItem>& items,
                                 const std::vector<ClickRecord>& clicks, int64_t click_ttl_seconds,
                                 const LandingSigner& sign, bool validate_only);

}  // namespace thrad
