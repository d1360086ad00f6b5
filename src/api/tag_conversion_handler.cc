#include "api/tag_conversion_handler.h"

#include <array>
#include <optional>
#include <string>
#include <utility>

#include "api/conversion_fields.h"
#include "api/extras.h"
#include "api/future_time.h"
#include "api/json_body.h"
#include "api/number_fields.h"
#include "api/params.h"
#include "api/string_fields.h"
#include "common/json_numbers.h"

namespace thrad {
namespace {

namespace json = boost::json;

// Field limits of TAG.md section 5 and API.md section 4, in code points.
constexpr size_t kMaxIdChars = 256;
constexpr size_t kMaxEventTypeChars = 64;
constexpr size_t kMaxUrlChars = 2048;
constexpr size_t kMaxUserAgentChars = 1024;
constexpr size_t kMaxLandingSigChars = 128;
constexpr std::string_view kDefaultEventType = "purchase_completed";
constexpr std::string_view kDefaultCurrency = "USD";

constexpr auto kKnownFields = std::to_array<std::string_view>({
    "tag_id",
    "thrad_click_id",
    "thrad_exp",
    "thrad_sig",
    "thrad_bid_id",
    "order_id",
    "value",
    "currency",
    "event_type",
    "conversion_time",
    "session_id",
    "client_id",
    "page_url",
    "referrer",
    "user_agent",
});

}  // namespace

ParsedTagConversion ParseTagConversion(std::string_view body_text, const TagCall& call,
                                       const TagLookup& find_tag) {
  ParsedTagConversion out;
  Parsed<JsonBody> parsed = ParseJsonObjectBody(body_text);
  if (!parsed.ok()) {
    out.errors = std::move(parsed.errors);
    return out;
  }
  const JsonBody& body = parsed.record;
  const json::object& obj = body.object;

  // The origin rule first: nothing else is looked at for a request its tag refuses.
  const TagRecord* tag = nullptr;
  if (const json::value* t = FindPresent(obj, "tag_id"); t != nullptr && t->is_string()) {
    tag = find_tag(t->get_string());
    out.refusal = CheckTagOrigin(tag, call);
    if (out.refusal != TagRefusal::kNone) return out;
  }

  std::vector<FieldError>& errors = out.errors;
  ConversionRecord& r = out.record;
  const StringRule id_rule{.max_chars = kMaxIdChars};
  const StringRule url_rule{.max_chars = kMaxUrlChars};
  const StringRule required_id{.max_chars = kMaxIdChars, .reject_blank = true};

  std::optional<std::string> tag_id = RequiredString(obj, "tag_id", id_rule, errors);
  std::optional<std::string> click_id = RequiredString(obj, "thrad_click_id", required_id, errors);
  r.landing_exp = OptionalNonNegativeInt(obj, body.raw_numbers, "thrad_exp", errors);
  if (FindPresent(obj, "thrad_exp") == nullptr)
    errors.push_back(MissingError(BodyLoc("thrad_exp")));
  r.landing_sig = RequiredString(obj, "thrad_sig", {.max_chars = kMaxLandingSigChars}, errors);
  (void)OptionalString(obj, "thrad_bid_id", id_rule, errors);
  std::optional<std::string> order_id = RequiredString(obj, "order_id", required_id, errors);
  std::optional<int64_t> value_micros = ConversionValueMicros(body, "value", 0, errors);
  std::optional<std::string> currency = CurrencyField(obj, "currency", kDefaultCurrency, errors);
  std::optional<std::string> event_type =
      OptionalString(obj, "event_type",
                     {.max_chars = kMaxEventTypeChars, .trim = true, .reject_blank = true}, errors);
  std::optional<int64_t> conversion_time = OptionalDateTime(obj, "conversion_time", errors);
  if (conversion_time) {
    if (auto e = FutureTimeError("conversion_time", *conversion_time, call.received_at)) {
      errors.push_back(std::move(*e));
    }
  }
  r.session_id = OptionalString(obj, "session_id", id_rule, errors);
  r.client_id = OptionalString(obj, "client_id", id_rule, errors);
  r.page_url = OptionalString(obj, "page_url", url_rule, errors);
  r.referrer = OptionalString(obj, "referrer", url_rule, errors);
  r.user_agent = OptionalString(obj, "user_agent", {.max_chars = kMaxUserAgentChars}, errors);
  if (!errors.empty()) return out;

  r.click_id = std::move(*click_id);
  r.conversion_time = conversion_time.value_or(call.received_at);
  r.value_micros = *value_micros;
  r.currency = std::move(*currency);
  r.event_type = event_type ? std::move(*event_type) : std::string(kDefaultEventType);
  r.order_id = std::move(order_id);
  r.dedup_key = r.order_id;
  r.dedup_source = DedupSource::kOrderId;
  r.tag_id = std::move(tag_id);

  RequestContext ctx;
  ctx.source = RequestContext::Source::kTag;
  ctx.partner_id = tag->partner_id;  // found: tag_id is a string here
  json::object params;
  StampParams(params, ctx);
  params["extra"] = SanitizeExtra(UnknownMembers(obj, kKnownFields), out.sanitize);
  r.params_json = SerializeJson(params);

  r.partner_id = tag->partner_id;
  r.key_id.clear();  // FromTag: no key
  r.client_ip = call.client_ip;
  r.received_at = call.received_at;
  return out;
}

}  // namespace thrad
