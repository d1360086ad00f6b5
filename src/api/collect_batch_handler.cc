#include "api/collect_batch_handler.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <utility>

#include "api/collect_handler.h"
#include "api/json_body.h"
#include "common/json_numbers.h"
#include "model/identity.h"

namespace thrad {
namespace {

namespace json = boost::json;

constexpr std::string_view kEventsKey = "events";

void Add(SanitizeStats& total, const SanitizeStats& s) {
  total.dropped_keys += s.dropped_keys;
  total.dropped_values += s.dropped_values;
  total.truncated_strings += s.truncated_strings;
  total.cleaned_strings += s.cleaned_strings;
}

}  // namespace

ParsedBatch ParseCollectBatch(std::string_view body_text, const RequestContext& ctx,
                              size_t max_events) {
  ParsedBatch out;
  BatchBody body = ParseBatchBody(body_text, kEventsKey, max_events);
  if (!body.ok()) {
    out.errors = std::move(body.errors);
    return out;
  }
  const json::array& array = body.items();
  out.items.resize(array.size());
  out.events.reserve(array.size());
  BatchIdentities seen;
  for (size_t i = 0; i < array.size(); ++i) {
    BatchItem& item = out.items[i];
    const json::object* object = ItemObject(body, i, item);
    if (object == nullptr) continue;
    Parsed<EventRecord> event = ParseCollectObject(*object, body.raw_numbers(i), ctx);
    Add(out.sanitize, event.sanitize);
    if (!event.ok()) {
      FailItem(item, std::move(event.errors), kEventsKey, i);
      continue;
    }
    std::optional<std::string> identity;
    if (event.record.event_id) identity = EventIdentity(event.record);
    KeepBatchRecord(item, std::move(event.record), std::move(identity), seen, out.events);
  }
  return out;
}

std::string BatchResultJson(const std::vector<BatchItem>& items,
                            const std::vector<EventRecord>& events, bool validate_only) {
  json::object body = BatchCountsJson(items, validate_only);
  json::array results;
  for (size_t i = 0; i < items.size(); ++i) {
    const BatchItem& item = items[i];
    if (item.status == BatchItemStatus::kOk && !validate_only) continue;
    json::object r = BatchItemJson(item, i);
    if (validate_only && item.status != BatchItemStatus::kError && item.slot &&
        *item.slot < events.size()) {
      r["tag_id"] = events[*item.slot].tag_id;
    }
    results.emplace_back(std::move(r));
  }
  body["results"] = std::move(results);
  return SerializeJson(body);
}

}  // namespace thrad
