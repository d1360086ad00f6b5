// libFuzzer target: the query of GET /v1/t/p.gif (TAG.md section 4): ParsePixelQuery, then the
// browser event rules (ParseTagEvent) on what it made. Besides memory and UB errors (Boost.URL
// on arbitrary query bytes included), it checks the contract: query errors, or an object whose
// event either has field errors that serialize to valid UTF-8 JSON, or is a web event of the
// tag's partner with valid UTF-8 text and JSON columns.
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/pixel_query.h"
#include "api/string_fields.h"
#include "api/tag_collect_handler.h"
#include "fuzz_check.h"

namespace {

const thrad::TagRecord* Find(std::string_view id) {
  static const thrad::TagRecord* tag = [] {
    auto* t = new thrad::TagRecord();
    t->tag_id = "t";
    t->partner_id = "p-fuzz";
    t->origins = {"https://a.example"};
    return t;
  }();
  return id == "t" ? tag : nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using thrad::fuzz::FitsField;
  using thrad::fuzz::IsJsonObjectText;
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  thrad::Parsed<thrad::JsonBody> q = thrad::ParsePixelQuery(query);
  if (!q.ok()) {
    const std::string text = boost::json::serialize(thrad::FieldErrorsToJson(q.errors));
    FUZZ_CHECK(thrad::IsValidUtf8(text));
    return 0;
  }
  FUZZ_CHECK(thrad::IsValidUtf8(boost::json::serialize(q.record.object)));
  thrad::TagCall call;
  call.origin = "https://a.example";
  call.client_ip = "127.0.0.1";
  call.received_at = 1'700'000'000'000'000;
  thrad::ParsedTagEvents p =
      thrad::ParseTagEvent(q.record.object, q.record.raw_numbers, call, Find);
  if (p.refusal != thrad::TagRefusal::kNone) return 0;
  if (!p.errors.empty()) {
    const std::string text = boost::json::serialize(thrad::FieldErrorsToJson(p.errors));
    FUZZ_CHECK(thrad::IsValidUtf8(text) && p.events.empty());
    return 0;
  }
  FUZZ_CHECK(p.events.size() == 1);
  const thrad::EventRecord& e = p.events[0];
  FUZZ_CHECK(e.tag_id == "t" && e.partner_id == "p-fuzz" && e.channel == "web");
  FUZZ_CHECK(!thrad::IsBlank(e.event_name) && FitsField(e.event_name, 128));
  if (e.page_url) FUZZ_CHECK(FitsField(*e.page_url, 2048));
  if (e.timestamp) FUZZ_CHECK(*e.timestamp >= 0);
  if (e.consent_json) FUZZ_CHECK(IsJsonObjectText(*e.consent_json));
  FUZZ_CHECK(IsJsonObjectText(e.params_json));
  return 0;
}
