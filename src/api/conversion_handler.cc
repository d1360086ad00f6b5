#include "api/conversion_handler.h"

#include <array>
#include <string>

#include "api/conversion_fields.h"
#include "api/currency.h"
#include "api/extras.h"
#include "api/future_time.h"
#include "api/idempotency_key.h"
#include "api/json_body.h"
#include "api/number_fields.h"
#include "api/params.h"
#include "api/string_fields.h"
#include "common/decimal.h"
#include "common/json_numbers.h"
#include "common/time_format.h"

namespace thrad {
namespace {

namespace json = boost::json;

// Field limits of spec section 4, in code points.
constexpr size_t kMaxIdChars = 256;  // click_id, order_id, event_id, tag_id, ...
constexpr size_t kMaxEventTypeChars = 64;
constexpr size_t kMaxUrlChars = 2048;
constexpr size_t kMaxUserAgentChars = 1024;
constexpr size_t kMaxLandingSigChars = 128;
constexpr std::string_view kDefaultEventType = "purchase_completed";

constexpr auto kKnownFields = std::to_array<std::string_view>({
    "click_id",
    "conversion_time",
    "conversion_value",
    "currency",
    "event_type",
    "order_id",
    "event_id",
    "tag_id",
    "session_id",
    "client_id",
    "page_url",
    "referrer",
    "user_agent",
    "thrad_exp",
    "thrad_sig",
});

// thrad_exp and thrad_sig (CLICKS.md section 5): both or neither; the missing one of a pair is
// `missing`. Checked (signature, expiry) by the HTTP layer, which holds the keys.
void LandingParams(const JsonBody& body, ConversionRecord& r, std::vector<FieldError>& errors) {
  constexpr std::string_view kExp = "thrad_exp";
  constexpr std::string_view kSig = "thrad_sig";
  const json::object& obj = body.object;
  const bool has_exp = FindPresent(obj, kExp) != nullptr;
  const bool has_sig = FindPresent(obj, kSig) != nullptr;
  if (has_exp && !has_sig) errors.push_back(MissingError(BodyLoc(kSig)));
  if (has_sig && !has_exp) errors.push_back(MissingError(BodyLoc(kExp)));
  r.landing_exp = OptionalNonNegativeInt(obj, body.raw_numbers, kExp, errors);
  r.landing_sig = OptionalString(obj, kSig, {.max_chars = kMaxLandingSigChars}, errors);
}

}  // namespace

Parsed<ConversionRecord> ParseConversion(std::string_view body_text,
                                         std::optional<std::string_view> idempotency_key_header,
                                         const RequestContext& ctx) {
  Parsed<ConversionRecord> out;
  std::vector<FieldError>& errors = out.errors;
  std::optional<std::string> idempotency_key;
  if (idempotency_key_header) {
    idempotency_key = ParseIdempotencyKey(*idempotency_key_header, errors);
  }
  Parsed<JsonBody> parsed = ParseJsonObjectBody(body_text);
  if (!parsed.ok()) {
    errors.insert(errors.end(), parsed.errors.begin(), parsed.errors.end());
    return out;
  }
  const JsonBody& body = parsed.record;
  const json::object& obj = body.object;
  ConversionRecord& r = out.record;

  const StringRule id_rule{.max_chars = kMaxIdChars};
  const StringRule url_rule{.max_chars = kMaxUrlChars};

  std::optional<std::string> click_id =
      RequiredString(obj, "click_id", {.max_chars = kMaxIdChars, .reject_blank = true}, errors);
  std::optional<int64_t> conversion_time = RequiredDateTime(obj, "conversion_time", errors);
  if (conversion_time) {
    if (auto e = FutureTimeError("conversion_time", *conversion_time, ctx.received_at)) {
      errors.push_back(std::move(*e));
    }
  }
  std::optional<int64_t> value_micros =
      ConversionValueMicros(body, "conversion_value", std::nullopt, errors);
  std::optional<std::string> currency = CurrencyField(obj, "currency", std::nullopt, errors);
  std::optional<std::string> event_type =
      OptionalString(obj, "event_type",
                     {.max_chars = kMaxEventTypeChars, .trim = true, .reject_blank = true}, errors);
  r.order_id = OptionalNonBlankString(obj, "order_id", kMaxIdChars, errors);
  r.event_id = OptionalNonBlankString(obj, "event_id", kMaxIdChars, errors);
  r.tag_id = OptionalString(obj, "tag_id", id_rule, errors);
  r.session_id = OptionalString(obj, "session_id", id_rule, errors);
  r.client_id = OptionalString(obj, "client_id", id_rule, errors);
  r.page_url = OptionalString(obj, "page_url", url_rule, errors);
  r.referrer = OptionalString(obj, "referrer", url_rule, errors);
  r.user_agent = OptionalString(obj, "user_agent", {.max_chars = kMaxUserAgentChars}, errors);
  LandingParams(body, r, errors);
  if (!errors.empty()) return out;

  r.click_id = std::move(*click_id);
  r.conversion_time = *conversion_time;
  r.value_micros = *value_micros;
  r.currency = std::move(*currency);
  r.event_type = event_type ? std::move(*event_type) : std::string(kDefaultEventType);

  if (idempotency_key) {
    r.dedup_key = std::move(idempotency_key);
    r.dedup_source = DedupSource::kHeader;
  } else if (r.event_id) {
    r.dedup_key = r.event_id;
    r.dedup_source = DedupSource::kEventId;
  } else if (r.order_id) {
    r.dedup_key = r.order_id;
    r.dedup_source = DedupSource::kOrderId;
  } else {
    r.dedup_source = DedupSource::kNone;
  }

  json::object params;
  StampParams(params, ctx);
  params["extra"] = SanitizeExtra(UnknownMembers(obj, kKnownFields), out.sanitize);
  r.params_json = SerializeJson(params);

  r.partner_id = ctx.partner_id;
  r.key_id = ctx.key_id;
  r.client_ip = ctx.client_ip;
  r.received_at = ctx.received_at;
  return out;
}

}  // namespace thrad
