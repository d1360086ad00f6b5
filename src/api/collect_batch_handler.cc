#include "api/collect_batch_handler.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <unordered_map>
#include <utility>

#include "api/collect_handler.h"
#include "api/json_body.h"
#include "common/json_numbers.h"
#include "model/identity.h"

namespace thrad {
namespace {

namespace json = boost::json;

constexpr std::string_view kEventsKey = "events";

FieldLoc EventsLoc() { return BodyLoc(kEventsKey); }

FieldLoc ItemLoc(size_t index) {
  FieldLoc loc = EventsLoc();
  loc.emplace_back(static_cast<int64_t>(index));
  return loc;
}

// ["body", rest...] -> ["body", "events", index, rest...].
void Reroot(std::vector<FieldError>& errors, size_t index) {
  for (FieldError& e : errors) {
    FieldLoc loc = ItemLoc(index);
    for (size_t i = 1; i < e.loc.size(); ++i) loc.push_back(std::move(e.loc[i]));
    e.loc = std::move(loc);
  }
}

void Add(SanitizeStats& total, const SanitizeStats& s) {
  total.dropped_keys += s.dropped_keys;
  total.dropped_values += s.dropped_values;
  total.truncated_strings += s.truncated_strings;
  total.cleaned_strings += s.cleaned_strings;
}

ParsedBatch Fail(FieldError error) {
  ParsedBatch out;
  out.errors.push_back(std::move(error));
  return out;
}

const char* StatusName(BatchItemStatus s) {
  switch (s) {
    case BatchItemStatus::kOk:
      return "ok";
    case BatchItemStatus::kDuplicate:
      return "duplicate";
    case BatchItemStatus::kError:
      break;
  }
  return "error";
}

}  // namespace

ParsedBatch ParseCollectBatch(std::string_view body_text, const RequestContext& ctx,
                              size_t max_events) {
  Parsed<JsonBody> parsed = ParseJsonBatchBody(body_text, kEventsKey);
  if (!parsed.ok()) {
    ParsedBatch out;
    out.errors = std::move(parsed.errors);
    return out;
  }
  const JsonBody& body = parsed.record;
  const json::value* events = body.object.if_contains(kEventsKey);
  if (events == nullptr || events->is_null()) return Fail(MissingError(EventsLoc()));
  if (!events->is_array()) return Fail(ListTypeError(EventsLoc()));
  const json::array& array = events->get_array();
  if (array.empty()) return Fail(ListTooShortError(EventsLoc(), 1, 0));
  if (array.size() > max_events) {
    return Fail(ListTooLongError(EventsLoc(), static_cast<int64_t>(max_events),
                                 static_cast<int64_t>(array.size())));
  }

  ParsedBatch out;
  out.items.resize(array.size());
  out.events.reserve(array.size());
  std::unordered_map<std::string, size_t> seen;  // dedup key -> slot
  static const RawNumbers kNoRawNumbers;
  for (size_t i = 0; i < array.size(); ++i) {
    BatchItem& item = out.items[i];
    if (!array[i].is_object()) {
      item.status = BatchItemStatus::kError;
      item.errors.push_back(DictTypeError(ItemLoc(i)));
      continue;
    }
    const RawNumbers& raw =
        i < body.element_raw_numbers.size() ? body.element_raw_numbers[i] : kNoRawNumbers;
    Parsed<EventRecord> event = ParseCollectObject(array[i].get_object(), raw, ctx);
    Add(out.sanitize, event.sanitize);
    if (!event.ok()) {
      item.status = BatchItemStatus::kError;
      item.errors = std::move(event.errors);
      Reroot(item.errors, i);
      continue;
    }
    if (event.record.event_id) {
      auto [it, inserted] = seen.try_emplace(EventIdentity(event.record), out.events.size());
      if (!inserted) {
        item.status = BatchItemStatus::kDuplicate;
        item.repeat = true;
        item.slot = it->second;
        continue;
      }
    }
    item.slot = out.events.size();
    out.events.push_back(std::move(event.record));
  }
  return out;
}

void ApplyBatchOutcomes(std::vector<BatchItem>& items, const std::vector<WriteOutcome>& outcomes) {
  for (BatchItem& item : items) {
    if (item.status == BatchItemStatus::kError || item.repeat || !item.slot) continue;
    if (*item.slot < outcomes.size() && outcomes[*item.slot] == WriteOutcome::kDuplicate) {
      item.status = BatchItemStatus::kDuplicate;
    }
  }
}

BatchCounts CountBatch(const std::vector<BatchItem>& items) {
  BatchCounts c;
  for (const BatchItem& item : items) {
    switch (item.status) {
      case BatchItemStatus::kOk:
        ++c.accepted;
        break;
      case BatchItemStatus::kDuplicate:
        ++c.duplicates;
        break;
      case BatchItemStatus::kError:
        ++c.rejected;
        break;
    }
  }
  return c;
}

std::string BatchResultJson(const std::vector<BatchItem>& items,
                            const std::vector<EventRecord>& events, bool validate_only) {
  const BatchCounts counts = CountBatch(items);
  json::object body;
  if (validate_only) body["status"] = "valid";
  body["accepted"] = counts.accepted;
  body["duplicates"] = counts.duplicates;
  body["rejected"] = counts.rejected;
  json::array results;
  for (size_t i = 0; i < items.size(); ++i) {
    const BatchItem& item = items[i];
    if (item.status == BatchItemStatus::kOk && !validate_only) continue;
    json::object r;
    r["index"] = static_cast<int64_t>(i);
    r["status"] = StatusName(item.status);
    if (item.status == BatchItemStatus::kError) {
      r["errors"] = FieldErrorsToJson(item.errors);
    } else if (validate_only && item.slot && *item.slot < events.size()) {
      r["tag_id"] = events[*item.slot].tag_id;
    }
    results.emplace_back(std::move(r));
  }
  body["results"] = std::move(results);
  return SerializeJson(body);
}

}  // namespace thrad
