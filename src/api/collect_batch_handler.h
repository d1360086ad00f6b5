#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/batch.h"
#include "api/field_error.h"
#include "api/request_context.h"
#include "model/records.h"
#include "model/write_op.h"

namespace thrad {

// Most events one POST /v1/api/collect/batch may carry; more is 422 at ["body","events"]
// (too_long). Bounds one request's work and its share of a write transaction. (The byte limit
// is ServerConfig::batch_body_limit: past it, 413.)
inline constexpr size_t kMaxBatchEvents = 1000;

// A parsed batch. When `errors` is non-empty the whole request is invalid (422) and nothing
// else is meaningful. Otherwise `items` has one entry per element of "events" (each slot a
// position in `events`), and `events` holds the records to write in ONE EventWrite: the valid
// events, without the in-batch repeats. ApplyBatchOutcomes (api/batch.h) applies the store's
// decisions to the items.
struct ParsedBatch {
  std::vector<BatchItem> items;
  std::vector<EventRecord> events;
  std::vector<FieldError> errors;  // whole-body problems
  SanitizeStats sanitize;          // summed over the events

  bool ok() const { return errors.empty(); }
};

// Parses POST /v1/api/collect/batch: {"events":[<event>, ...]}. Pure: no I/O.
//
// Whole-body errors (422, nothing written): those of ParseBatchBody for "events" (the body is
// not a JSON object, at ["body"]; "events" missing, not an array, empty or longer than
// `max_events`, at ["body","events"]). Other top-level members are ignored.
//
// Each element is read with the single-event rules (ParseCollectObject, same context); an
// element that is not an object is dict_type at ["body","events",i]. An invalid element is
// reported with every problem, each loc re-rooted from ["body",...] to
// ["body","events",i,...]; it never affects the others. A valid event whose (tag_id, event_id)
// repeats an earlier valid event of the batch is a duplicate and is not written twice.
ParsedBatch ParseCollectBatch(std::string_view body, const RequestContext& ctx,
                              size_t max_events = kMaxBatchEvents);

// The 200 body: {"accepted":n,"duplicates":m,"rejected":k,"results":[...]}. `results` lists the
// items that are not ok, in order: {"index":i,"status":"duplicate"} or
// {"index":i,"status":"error","errors":[{"loc","msg","type"}...]}. With validate_only it also
// carries "status":"valid" and lists every item, ok ones included, each valid one with the
// tag_id that would be stored (`events` are the records that were written, in slot order).
std::string BatchResultJson(const std::vector<BatchItem>& items,
                            const std::vector<EventRecord>& events, bool validate_only);

}  // namespace thrad
