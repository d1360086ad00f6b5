// libFuzzer target: the browser bodies of TAG.md, POST /v1/t/collect (ParseTagCollect) and
// POST /v1/t/conversion (ParseTagConversion); the first input byte chooses (even: collect), the
// rest is the body. Besides memory and UB errors, it checks the handlers' contract: a refusal
// with nothing else, or field errors that serialize to valid UTF-8 JSON, or records that belong
// to a known tag's partner, carry no key, are stamped as a tag's and satisfy the limits.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "api/conversion_fields.h"
#include "api/string_fields.h"
#include "api/tag_collect_handler.h"
#include "api/tag_conversion_handler.h"
#include "fuzz_check.h"

namespace {

// Tags "t" and "u" of partner p-fuzz on https://a.example and any subdomain of b.example; "v"
// of partner p-other on https://a.example.
const std::map<std::string, thrad::TagRecord, std::less<>>& Tags() {
  static const auto* tags = [] {
    auto* m = new std::map<std::string, thrad::TagRecord, std::less<>>();
    auto add = [m](const char* id, const char* partner) {
      thrad::TagRecord& t = (*m)[id];
      t.tag_id = id;
      t.partner_id = partner;
      t.origins = {"https://a.example", "https://*.b.example"};
    };
    add("t", "p-fuzz");
    add("u", "p-fuzz");
    add("v", "p-other");
    return m;
  }();
  return *tags;
}

const thrad::TagRecord* Find(std::string_view id) {
  auto it = Tags().find(id);
  return it == Tags().end() ? nullptr : &it->second;
}

bool IsTagParams(const std::string& params_json, const std::string& partner) {
  const boost::json::object o = boost::json::parse(params_json).as_object();
  const boost::json::value* integration = o.if_contains("integration");
  const boost::json::value* stamped = o.if_contains("partner_id");
  return integration != nullptr && integration->is_string() && integration->get_string() == "tag" &&
         stamped != nullptr && stamped->is_string() && stamped->get_string() == partner &&
         !o.contains("api_key_label");
}

void CheckErrors(const std::vector<thrad::FieldError>& errors) {
  const std::string text = boost::json::serialize(thrad::FieldErrorsToJson(errors));
  FUZZ_CHECK(thrad::IsValidUtf8(text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using thrad::fuzz::FitsField;
  using thrad::fuzz::IsJsonObjectText;
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  thrad::TagCall call;
  call.origin = "https://x.b.example";
  call.client_ip = "127.0.0.1";
  call.received_at = 1'700'000'000'000'000;

  if (data[0] % 2 == 0) {
    thrad::ParsedTagEvents p = thrad::ParseTagCollect(body, call, Find);
    if (p.refusal != thrad::TagRefusal::kNone) {
      FUZZ_CHECK(p.events.empty());
      return 0;
    }
    if (!p.errors.empty()) {
      FUZZ_CHECK(p.events.empty());
      CheckErrors(p.errors);
      return 0;
    }
    FUZZ_CHECK(!p.events.empty() && p.events.size() <= thrad::kMaxTagBatchEvents);
    for (const thrad::EventRecord& e : p.events) {
      const thrad::TagRecord* tag = Find(e.tag_id);
      FUZZ_CHECK(tag != nullptr && tag->partner_id == e.partner_id);
      FUZZ_CHECK(e.partner_id == p.partner_id);  // one partner per request
      FUZZ_CHECK(e.key_id.empty() && e.channel == "web");
      FUZZ_CHECK(!thrad::IsBlank(e.event_name) && FitsField(e.event_name, 128));
      if (e.consent_json) FUZZ_CHECK(IsJsonObjectText(*e.consent_json));
      FUZZ_CHECK(IsJsonObjectText(e.params_json) && IsTagParams(e.params_json, e.partner_id));
    }
    return 0;
  }
  thrad::ParsedTagConversion p = thrad::ParseTagConversion(body, call, Find);
  if (p.refusal != thrad::TagRefusal::kNone) return 0;
  if (!p.errors.empty()) {
    CheckErrors(p.errors);
    return 0;
  }
  const thrad::ConversionRecord& c = p.record;
  FUZZ_CHECK(c.tag_id && Find(*c.tag_id) != nullptr);
  FUZZ_CHECK(c.partner_id == Find(*c.tag_id)->partner_id && c.key_id.empty() && thrad::FromTag(c));
  FUZZ_CHECK(!thrad::IsBlank(c.click_id) && FitsField(c.click_id, 256));
  FUZZ_CHECK(c.order_id && !thrad::IsBlank(*c.order_id) && FitsField(*c.order_id, 256));
  FUZZ_CHECK(c.dedup_key == c.order_id && c.dedup_source == thrad::DedupSource::kOrderId);
  FUZZ_CHECK(c.landing_exp && *c.landing_exp >= 0 && c.landing_sig);
  FUZZ_CHECK(c.value_micros >= 0 && c.value_micros <= thrad::kMaxConversionValueMicros);
  FUZZ_CHECK(c.currency.size() == 3);
  FUZZ_CHECK(IsJsonObjectText(c.params_json) && IsTagParams(c.params_json, c.partner_id));
  return 0;
}
