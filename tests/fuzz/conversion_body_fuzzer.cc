// libFuzzer target: the POST /v1/api/conversion body parser and validator (ParseConversion).
// The input is the request body; when it starts with a line "Idempotency-Key: <value>\n",
// that value is passed as the header and the rest is the body. Checks the handler's
// contract: a normalized record within the spec's limits (value 0..10^12, upper-case ISO
// code, dedup key and source consistent, params_json a JSON object), or a non-empty list of
// field errors that serializes to valid UTF-8 JSON.
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "api/conversion_handler.h"
#include "api/string_fields.h"
#include "fuzz_check.h"

namespace {

thrad::RequestContext MakeContext() {
  thrad::RequestContext ctx;
  ctx.partner_id = "p-fuzz";
  ctx.key_id = "key_0123456789abcdef";
  ctx.key_label = "fuzz";
  ctx.client_ip = "127.0.0.1";
  ctx.received_at = 1'700'000'000'000'000;
  return ctx;
}

bool IsUpperAlpha3(std::string_view s) {
  if (s.size() != 3) return false;
  for (char c : s) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using thrad::fuzz::FitsField;
  static const thrad::RequestContext ctx = MakeContext();
  std::string_view body(reinterpret_cast<const char*>(data), size);
  std::optional<std::string_view> idem;
  constexpr std::string_view kPrefix = "Idempotency-Key: ";
  if (body.substr(0, kPrefix.size()) == kPrefix) {
    const size_t nl = body.find('\n');
    if (nl != std::string_view::npos) {
      idem = body.substr(kPrefix.size(), nl - kPrefix.size());
      body.remove_prefix(nl + 1);
    }
  }

  thrad::Parsed<thrad::ConversionRecord> parsed = thrad::ParseConversion(body, idem, ctx);
  if (!parsed.ok()) {
    FUZZ_CHECK(!parsed.errors.empty());
    const std::string errors = boost::json::serialize(thrad::FieldErrorsToJson(parsed.errors));
    FUZZ_CHECK(thrad::IsValidUtf8(errors));
    return 0;
  }
  const thrad::ConversionRecord& c = parsed.record;
  FUZZ_CHECK(!thrad::IsBlank(c.click_id) && FitsField(c.click_id, 256));
  FUZZ_CHECK(c.value_micros >= 0 && c.value_micros <= thrad::kMaxConversionValueMicros);
  FUZZ_CHECK(IsUpperAlpha3(c.currency));
  FUZZ_CHECK(!thrad::IsBlank(c.event_type) && FitsField(c.event_type, 64));
  for (const auto* s : {&c.order_id, &c.event_id, &c.tag_id, &c.session_id, &c.client_id}) {
    if (*s) FUZZ_CHECK(FitsField(**s, 256));
  }
  for (const auto* s : {&c.page_url, &c.referrer}) {
    if (*s) FUZZ_CHECK(FitsField(**s, 2048));
  }
  if (c.user_agent) FUZZ_CHECK(FitsField(*c.user_agent, 1024));
  switch (c.dedup_source) {
    case thrad::DedupSource::kNone:
      FUZZ_CHECK(!c.dedup_key);
      break;
    case thrad::DedupSource::kHeader:
      FUZZ_CHECK(idem && c.dedup_key && !c.dedup_key->empty() && c.dedup_key->size() <= 255);
      break;
    case thrad::DedupSource::kEventId:
      FUZZ_CHECK(c.dedup_key && c.dedup_key == c.event_id);
      break;
    case thrad::DedupSource::kOrderId:
      FUZZ_CHECK(c.dedup_key && c.dedup_key == c.order_id);
      break;
  }
  FUZZ_CHECK(thrad::fuzz::IsJsonObjectText(c.params_json));
  FUZZ_CHECK(c.partner_id == ctx.partner_id && c.key_id == ctx.key_id);
  return 0;
}
