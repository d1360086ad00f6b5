// libFuzzer target: the click redirect's pure parts fed arbitrary bytes as the query string of
// GET /v1/click: ParseClickUrl, then AddLandingParams on the landing URL it accepted.
//
// Checks, besides ASan/UBSan: an accepted click URL satisfies the spec's limits (required
// values present, lengths, no control characters, exp a non-negative integer whose digits are
// exactly what was in the query, an absolute http(s) landing URL); the Location built from it
// is an absolute URI that still parses, ends with exactly the four landing parameters in order
// (whatever landing parameters the URL carried are gone) with the values given, keeps the
// URL's fragment, and keeps the URL's other non-empty parameters in order.
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/click_url.h"
#include "fuzz_check.h"

namespace {

bool HasControl(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}

bool IsLandingKey(std::string_view k) {
  return k == "thrad_click_id" || k == "thrad_exp" || k == "thrad_sig" || k == "thrad_bid_id";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using thrad::fuzz::FitsField;
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  const std::optional<thrad::ClickUrl> c = thrad::ParseClickUrl(query);
  if (!c) return 0;
  FUZZ_CHECK(!c->partner.empty() && FitsField(c->partner, thrad::kMaxClickPartnerChars));
  FUZZ_CHECK(!c->bid.empty() && FitsField(c->bid, thrad::kMaxClickIdChars));
  FUZZ_CHECK(FitsField(c->campaign, thrad::kMaxClickIdChars));
  FUZZ_CHECK(FitsField(c->tag, thrad::kMaxClickIdChars));
  for (const std::string* v : {&c->partner, &c->bid, &c->campaign, &c->tag, &c->url}) {
    FUZZ_CHECK(!HasControl(*v));
  }
  FUZZ_CHECK(thrad::IsLandingUrl(c->url));
  FUZZ_CHECK(thrad::IsValidKid(c->kid) && !c->sig.empty());
  FUZZ_CHECK(c->exp >= 0 && !c->exp_text.empty());
  for (char d : c->exp_text) FUZZ_CHECK(d >= '0' && d <= '9');

  // The landing parameters built from parts of the input itself (any bytes, even ones a
  // click id never holds), so the escaping is exercised too.
  thrad::LandingParams p;
  p.click_id = c->bid;
  p.exp = c->exp;
  p.sig = c->sig + "&=#+ %";
  p.bid_id = c->partner;
  const std::string location = thrad::AddLandingParams(c->url, p);
  auto parsed = boost::urls::parse_uri(location);
  FUZZ_CHECK(parsed.has_value());
  const auto original = boost::urls::parse_uri(c->url);
  FUZZ_CHECK(original.has_value());
  FUZZ_CHECK(parsed->fragment() == original->fragment());
  FUZZ_CHECK(parsed->scheme() == original->scheme());
  FUZZ_CHECK(parsed->encoded_host() == original->encoded_host());

  std::vector<std::string> keys, values, kept;
  for (const auto& param : parsed->params()) {
    keys.push_back(param.key);
    values.push_back(param.value);
  }
  // Boost.URL 1.81 cannot iterate the parameters of an empty query ("?"): it overflows the
  // stack; such a URL has none to keep.
  if (!original->encoded_query().empty()) {
    for (const auto& param : original->params()) {
      if (param.key.empty() && !param.has_value) continue;  // "?&" and the like are dropped
      if (!IsLandingKey(param.key)) kept.push_back(param.key);
    }
  }
  FUZZ_CHECK(keys.size() == kept.size() + 4);
  for (size_t i = 0; i < kept.size(); ++i) FUZZ_CHECK(keys[i] == kept[i]);
  const size_t n = keys.size();
  FUZZ_CHECK(keys[n - 4] == "thrad_click_id" && values[n - 4] == p.click_id);
  FUZZ_CHECK(keys[n - 3] == "thrad_exp" && values[n - 3] == std::to_string(p.exp));
  FUZZ_CHECK(keys[n - 2] == "thrad_sig" && values[n - 2] == p.sig);
  FUZZ_CHECK(keys[n - 1] == "thrad_bid_id" && values[n - 1] == p.bid_id);
  return 0;
}
