#include "api/tag_collect_handler.h"

#include <optional>
#include <utility>

#include "api/batch.h"
#include "api/collect_handler.h"
#include "api/string_fields.h"
#include "model/identity.h"

namespace thrad {
namespace {

namespace json = boost::json;

constexpr std::string_view kEventsKey = "events";
constexpr std::string_view kTagIdField = "tag_id";

void Add(SanitizeStats& total, const SanitizeStats& s) {
  total.dropped_keys += s.dropped_keys;
  total.dropped_values += s.dropped_values;
  total.truncated_strings += s.truncated_strings;
  total.cleaned_strings += s.cleaned_strings;
}

// One event of the request: its object, its raw numbers, its index in a batch.
struct EventSource {
  const json::object* object = nullptr;
  const RawNumbers* raw_numbers = nullptr;
  std::optional<size_t> index;  // nullopt: a single-event body
  const TagRecord* tag = nullptr;
  std::optional<std::string> tag_id;  // the event's own, else the batch's default
};

// `errors` located as for a single body, moved into `out` (re-rooted for a batch's event).
void AddErrors(std::vector<FieldError> errors, const EventSource& e, std::vector<FieldError>& out) {
  if (e.index) RerootItemErrors(errors, kEventsKey, *e.index);
  for (FieldError& f : errors) out.push_back(std::move(f));
}

// The checks after the body: tags and origins, one partner, then every event's fields.
ParsedTagEvents ParseEvents(std::vector<EventSource> sources, std::vector<FieldError> errors,
                            const std::optional<std::string>& default_tag, const TagCall& call,
                            const TagLookup& find_tag) {
  ParsedTagEvents out;
  // Which tag each event names (a non-string tag_id is ParseCollectObject's string_type below).
  for (EventSource& e : sources) {
    if (e.object == nullptr) continue;
    const json::value* own = FindPresent(*e.object, kTagIdField);
    if (own != nullptr) {
      if (own->is_string()) e.tag_id = std::string(own->get_string());
    } else {
      e.tag_id = default_tag;
    }
    if (e.tag_id) e.tag = find_tag(*e.tag_id);
  }
  // 2. The origin rule: an unknown tag first, then an origin a tag does not allow.
  for (const EventSource& e : sources) {
    if (e.tag_id && CheckTagOrigin(e.tag, call) == TagRefusal::kTagNotFound) {
      out.refusal = TagRefusal::kTagNotFound;
      return out;
    }
  }
  for (const EventSource& e : sources) {
    if (e.tag_id && CheckTagOrigin(e.tag, call) == TagRefusal::kOriginNotAllowed) {
      out.refusal = TagRefusal::kOriginNotAllowed;
      return out;
    }
  }
  // 3. One partner per request, then each event's fields.
  for (const EventSource& e : sources) {
    if (e.tag == nullptr) continue;
    if (out.partner_id.empty()) {
      out.partner_id = e.tag->partner_id;
    } else if (e.tag->partner_id != out.partner_id) {
      errors.push_back(ValueError(BodyLoc(kEventsKey),
                                  "every event of one request must belong to tags of one partner"));
      break;
    }
  }
  BatchIdentities seen;
  for (const EventSource& e : sources) {
    if (e.object == nullptr) continue;  // dict_type, reported with the body's errors
    RequestContext ctx;
    ctx.source = RequestContext::Source::kTag;
    ctx.partner_id = e.tag != nullptr ? e.tag->partner_id : std::string();
    ctx.origin = call.origin_header;
    ctx.referer = call.referer;
    ctx.client_ip = call.client_ip;
    ctx.received_at = call.received_at;
    Parsed<EventRecord> event;
    if (e.tag_id && FindPresent(*e.object, kTagIdField) == nullptr) {
      json::object with_tag = *e.object;  // the batch's tag_id for an event without one
      with_tag[kTagIdField] = *e.tag_id;
      event = ParseCollectObject(with_tag, *e.raw_numbers, ctx);
    } else {
      event = ParseCollectObject(*e.object, *e.raw_numbers, ctx);
    }
    Add(out.sanitize, event.sanitize);
    std::vector<FieldError> event_errors = std::move(event.errors);
    if (!e.tag_id && FindPresent(*e.object, kTagIdField) == nullptr) {
      event_errors.insert(event_errors.begin(), MissingError(BodyLoc(kTagIdField)));
    }
    if (!event_errors.empty()) {
      AddErrors(std::move(event_errors), e, errors);
      continue;
    }
    std::optional<std::string> identity;
    if (event.record.event_id) identity = EventIdentity(event.record);
    BatchItem item;
    KeepBatchRecord(item, std::move(event.record), std::move(identity), seen, out.events);
  }
  out.errors = std::move(errors);
  if (!out.errors.empty()) out.events.clear();
  return out;
}

}  // namespace

ParsedTagEvents ParseTagCollect(std::string_view body_text, const TagCall& call,
                                const TagLookup& find_tag) {
  BatchBody body = ParseBatchBody(body_text, kEventsKey, kMaxTagBatchEvents);
  const bool parsed = body.json.arena != nullptr;  // a JSON object, batch or not
  if (parsed && !body.json.object.contains(kEventsKey)) {
    return ParseTagEvent(body.json.object, body.json.raw_numbers, call, find_tag);
  }
  if (!body.ok()) {
    ParsedTagEvents out;
    out.errors = std::move(body.errors);
    return out;
  }
  // A batch: the top-level tag_id is the default of its events.
  std::vector<FieldError> errors;
  std::optional<std::string> default_tag =
      OptionalString(body.json.object, kTagIdField, {.max_chars = kMaxTagIdChars}, errors);
  const json::array& array = body.items();
  std::vector<EventSource> sources(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    EventSource& e = sources[i];
    e.index = i;
    e.raw_numbers = &body.raw_numbers(i);
    BatchItem item;
    e.object = ItemObject(body, i, item);
    for (FieldError& f : item.errors) errors.push_back(std::move(f));
  }
  return ParseEvents(std::move(sources), std::move(errors), default_tag, call, find_tag);
}

ParsedTagEvents ParseTagEvent(const json::object& event, const RawNumbers& raw_numbers,
                              const TagCall& call, const TagLookup& find_tag) {
  std::vector<EventSource> sources(1);
  sources[0].object = &event;
  sources[0].raw_numbers = &raw_numbers;
  return ParseEvents(std::move(sources), {}, std::nullopt, call, find_tag);
}

}  // namespace thrad
