// libFuzzer target: the POST /v1/api/collect body parser and validator (ParseCollect), fed
// arbitrary bytes as the request body. Besides memory and UB errors (ASan/UBSan), it checks
// the handler's contract: either a normalized record that satisfies the spec's limits and
// whose JSON columns are valid JSON objects, or a non-empty list of field errors that
// serializes to valid UTF-8 JSON.
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/collect_handler.h"
#include "api/string_fields.h"
#include "fuzz_check.h"

namespace {

thrad::RequestContext MakeContext() {
  thrad::RequestContext ctx;
  ctx.partner_id = "p-fuzz";
  ctx.key_id = "key_0123456789abcdef";
  ctx.key_label = "fuzz";
  ctx.origin = "https://origin.example";
  ctx.client_ip = "127.0.0.1";
  ctx.received_at = 1'700'000'000'000'000;
  return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using thrad::fuzz::FitsField;
  using thrad::fuzz::IsJsonObjectText;
  static const thrad::RequestContext ctx = MakeContext();
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  thrad::Parsed<thrad::EventRecord> parsed = thrad::ParseCollect(body, ctx);
  if (!parsed.ok()) {
    FUZZ_CHECK(!parsed.errors.empty());
    const std::string errors = boost::json::serialize(thrad::FieldErrorsToJson(parsed.errors));
    FUZZ_CHECK(thrad::IsValidUtf8(errors));
    return 0;
  }
  const thrad::EventRecord& e = parsed.record;
  FUZZ_CHECK(!thrad::IsBlank(e.event_name) && FitsField(e.event_name, 128));
  FUZZ_CHECK(!e.tag_id.empty() && thrad::IsValidUtf8(e.tag_id));
  if (e.event_id) FUZZ_CHECK(!thrad::IsBlank(*e.event_id) && FitsField(*e.event_id, 256));
  if (e.timestamp) FUZZ_CHECK(*e.timestamp >= 0);
  if (e.view_time_ms) FUZZ_CHECK(*e.view_time_ms >= 0);
  for (const auto* s : {&e.page_url, &e.referrer}) {
    if (*s) FUZZ_CHECK(FitsField(**s, 2048));
  }
  if (e.user_agent) FUZZ_CHECK(FitsField(*e.user_agent, 1024));
  for (const auto* s : {&e.session_id, &e.client_id, &e.attribution_type, &e.impression_id,
                        &e.click_id, &e.bid_id, &e.impression_state}) {
    if (*s) FUZZ_CHECK(FitsField(**s, 256));
  }
  if (e.consent_json) FUZZ_CHECK(IsJsonObjectText(*e.consent_json));
  FUZZ_CHECK(IsJsonObjectText(e.params_json));
  FUZZ_CHECK(e.channel == "server");
  FUZZ_CHECK(e.partner_id == ctx.partner_id && e.key_id == ctx.key_id);
  return 0;
}
