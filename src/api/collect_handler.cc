#include "api/collect_handler.h"

#include <array>
#include <boost/json/serialize.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/extras.h"
#include "api/future_time.h"
#include "api/json_body.h"
#include "api/number_fields.h"
#include "api/params.h"
#include "api/string_fields.h"
#include "api/tag_id.h"
#include "common/decimal.h"
#include "common/json_numbers.h"

namespace thrad {
namespace {

namespace json = boost::json;

// Field limits of spec section 3, in code points.
constexpr size_t kMaxEventNameChars = 128;
constexpr size_t kMaxIdChars = 256;  // tag_id, event_id, session_id, click_id, ...
constexpr size_t kMaxUrlChars = 2048;
constexpr size_t kMaxUserAgentChars = 1024;

// Every top-level key with a meaning; any other key goes to params.extra.
constexpr auto kKnownFields = std::to_array<std::string_view>({
    "event_name",
    "tag_id",
    "event_id",
    "timestamp",
    "page_url",
    "referrer",
    "user_agent",
    "channel",
    "session_id",
    "client_id",
    "attribution_type",
    "impression_id",
    "click_id",
    "bid_id",
    "impression_state",
    "view_time_ms",
    "consent",
    "params",
});

// An optional JSON object (consent, params), which must not hold a number JSON cannot store.
std::optional<json::object> OptionalObject(const json::object& body, std::string_view field,
                                           std::vector<FieldError>& errors) {
  const json::value* v = FindPresent(body, field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) {
    errors.push_back(DictTypeError(BodyLoc(field)));
    return std::nullopt;
  }
  if (HasNonFiniteNumber(*v)) {
    errors.push_back(FiniteNumberError(BodyLoc(field)));
    return std::nullopt;
  }
  return v->get_object();
}

}  // namespace

Parsed<EventRecord> ParseCollect(std::string_view body_text, const RequestContext& ctx) {
  Parsed<JsonBody> parsed = ParseJsonObjectBody(body_text);
  if (!parsed.ok()) {
    Parsed<EventRecord> out;
    out.errors = std::move(parsed.errors);
    return out;
  }
  return ParseCollectObject(parsed.record.object, parsed.record.raw_numbers, ctx);
}

Parsed<EventRecord> ParseCollectObject(const json::object& obj, const RawNumbers& raw_numbers,
                                       const RequestContext& ctx) {
  Parsed<EventRecord> out;
  std::vector<FieldError>& errors = out.errors;
  EventRecord& r = out.record;

  const StringRule id_rule{.max_chars = kMaxIdChars};
  const StringRule url_rule{.max_chars = kMaxUrlChars};

  std::optional<std::string> event_name =
      RequiredString(obj, "event_name",
                     {.max_chars = kMaxEventNameChars, .trim = true, .reject_blank = true}, errors);
  std::optional<std::string> tag_id = OptionalString(obj, "tag_id", id_rule, errors);
  r.event_id = OptionalNonBlankString(obj, "event_id", kMaxIdChars, errors);
  r.timestamp = OptionalNonNegativeInt(obj, raw_numbers, "timestamp", errors);
  if (r.timestamp) {
    if (auto e = FutureUnixSecondsError("timestamp", *r.timestamp, ctx.received_at)) {
      errors.push_back(std::move(*e));
    }
  }
  // Spec section 3: when absent, the server's receive time (Unix seconds) is used.
  if (!r.timestamp) r.timestamp = ctx.received_at / 1'000'000;
  r.page_url = OptionalString(obj, "page_url", url_rule, errors);
  r.referrer = OptionalString(obj, "referrer", url_rule, errors);
  r.user_agent = OptionalString(obj, "user_agent", {.max_chars = kMaxUserAgentChars}, errors);
  if (const json::value* channel = FindPresent(obj, "channel");
      channel != nullptr && !channel->is_string()) {
    errors.push_back(StringTypeError(BodyLoc("channel")));  // otherwise ignored
  }
  r.session_id = OptionalString(obj, "session_id", id_rule, errors);
  r.client_id = OptionalString(obj, "client_id", id_rule, errors);
  r.attribution_type = OptionalString(obj, "attribution_type", id_rule, errors);
  r.impression_id = OptionalString(obj, "impression_id", id_rule, errors);
  r.click_id = OptionalString(obj, "click_id", id_rule, errors);
  r.bid_id = OptionalString(obj, "bid_id", id_rule, errors);
  r.impression_state = OptionalString(obj, "impression_state", id_rule, errors);
  r.view_time_ms = OptionalNonNegativeInt(obj, raw_numbers, "view_time_ms", errors);
  std::optional<json::object> consent = OptionalObject(obj, "consent", errors);
  std::optional<json::object> params = OptionalObject(obj, "params", errors);
  if (!errors.empty()) return out;

  r.event_name = std::move(*event_name);
  r.tag_id = (tag_id && !IsBlank(*tag_id)) ? std::move(*tag_id)
                                           : DeriveTagId(r.page_url, ctx.origin, ctx.referer);
  if (consent) r.consent_json = SerializeJson(*consent);

  // params: the client's object as sent, except that params.extra always holds sanitized
  // content (section 5): the client's own params.extra members, then the unknown top-level
  // keys (which win on a name clash), sanitized together. Then the server's stamp.
  json::object stored_params = params ? std::move(*params) : json::object();
  json::object extra;
  if (auto it = stored_params.find("extra"); it != stored_params.end()) {
    if (it->value().is_object()) {
      extra = std::move(it->value().get_object());
    } else {
      ++out.sanitize.dropped_values;  // a non-object params.extra cannot hold extra fields
    }
    stored_params.erase(it);
  }
  for (const auto& member : UnknownMembers(obj, kKnownFields)) {
    extra[member.key()] = member.value();
  }
  if (!extra.empty()) stored_params["extra"] = SanitizeExtra(extra, out.sanitize);
  StampParams(stored_params, ctx);
  r.params_json = SerializeJson(stored_params);

  r.channel = ctx.source == RequestContext::Source::kTag ? "web" : "server";
  r.partner_id = ctx.partner_id;
  r.key_id = ctx.key_id;
  r.client_ip = ctx.client_ip;
  r.received_at = ctx.received_at;
  return out;
}

}  // namespace thrad
