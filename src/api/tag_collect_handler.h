#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "api/json_body.h"
#include "api/tag_request.h"
#include "model/records.h"

namespace thrad {

// Most events one POST /v1/t/collect may carry (TAG.md section 3): a page's beacon, not an
// export; more is 422 at ["body","events"] (too_long).
inline constexpr size_t kMaxTagBatchEvents = 50;

// A browser collect request, parsed. Exactly one of: a refusal (404/403, nothing else is
// meaningful), errors (422: every problem), or the events to store in ONE EventWrite.
struct ParsedTagEvents {
  TagRefusal refusal = TagRefusal::kNone;
  std::vector<FieldError> errors;
  // The valid events, every one of `partner_id`, without in-request repeats of an identity.
  std::vector<EventRecord> events;
  std::string partner_id;  // the tags' partner (set when some tag was found)
  SanitizeStats sanitize;  // summed over the events

  bool ok() const { return refusal == TagRefusal::kNone && errors.empty(); }
};

// Parses POST /v1/t/collect (TAG.md section 3). Pure: no I/O. The body is one event object,
// or {"events":[...]} with 1 to kMaxTagBatchEvents events (a member "events" makes it a
// batch); in a batch a top-level "tag_id" applies to the events without one. Checks, in order:
// 1. the body (ParseJsonObjectBody's one error at ["body"]; a batch's "events" as in
//    ParseBatchBody, at ["body","events"]): 422;
// 2. every event's tag (404 for the first unknown or removed one), then every event's origin
//    against its own tag (403): CheckTagOrigin;
// 3. 422 listing every problem: the events' tags of more than one partner (value_error at
//    ["body","events"]); an event without a tag_id (missing at [..., "tag_id"]); each event's
//    fields by ParseCollectObject, the S2S collect rules (a batch's locs re-rooted to
//    ["body","events",i,...]; an element that is not an object is dict_type there).
// Each event is stored as ParseCollectObject makes it with RequestContext::Source::kTag:
// channel "web", params stamped with integration "tag" and the tag's partner_id, no key id.
ParsedTagEvents ParseTagCollect(std::string_view body, const TagCall& call,
                                const TagLookup& find_tag);

// The same rules for one event already read into an object (the pixel's query: pixel_query.h),
// located as a single body.
ParsedTagEvents ParseTagEvent(const boost::json::object& event, const RawNumbers& raw_numbers,
                              const TagCall& call, const TagLookup& find_tag);

}  // namespace thrad
