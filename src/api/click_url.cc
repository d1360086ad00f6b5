#include "api/click_url.h"

#include <algorithm>
#include <array>
#include <boost/url/encode.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <charconv>

#include "api/ascii.h"
#include "api/string_fields.h"

namespace thrad {
namespace {

// A decoded value within `max_chars` code points, valid UTF-8, without control characters.
bool ValidValue(std::string_view v, size_t max_chars) {
  return IsValidUtf8(v) && !HasControlChar(v) && Utf8Length(v) <= max_chars;
}

constexpr std::array<std::string_view, 4> kLandingKeys = {"thrad_click_id", "thrad_exp",
                                                          "thrad_sig", "thrad_bid_id"};

}  // namespace

bool IsLandingUrl(std::string_view url) {
  if (url.empty() || !ValidValue(url, kMaxLandingUrlChars)) return false;
  auto parsed = boost::urls::parse_uri(url);  // absolute, a fragment allowed
  if (!parsed) return false;
  const std::string_view scheme = parsed->scheme();
  if (!EqualsIgnoreCase(scheme, "http") && !EqualsIgnoreCase(scheme, "https")) return false;
  return parsed->has_authority() && !parsed->encoded_host().empty();
}

std::optional<ClickUrl> ParseClickUrl(std::string_view query) {
  if (query.empty()) return std::nullopt;  // and Boost.URL 1.81 mis-iterates an empty query
  // Boost.URL 1.81's parse_query reads its input up to a NUL (strlen), past the view's end:
  // hand it a copy that ends in one. (Found by the click_url fuzzer.)
  const std::string terminated(query);
  query = terminated;
  if (!boost::urls::parse_query(query)) return std::nullopt;  // the view below would throw
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  const boost::urls::params_view params(query, form);

  ClickUrl out;
  struct Field {
    std::string_view key;
    std::string* value;
    size_t max_chars;
    bool required;
    bool seen = false;
  };
  std::array<Field, 8> fields = {{
      {"partner", &out.partner, kMaxClickPartnerChars, true},
      {"bid", &out.bid, kMaxClickIdChars, true},
      {"campaign", &out.campaign, kMaxClickIdChars, false},
      {"tag", &out.tag, kMaxClickIdChars, false},
      {"url", &out.url, kMaxLandingUrlChars, true},
      {"exp", &out.exp_text, 20, true},
      {"kid", &out.kid, 35, true},
      {"sig", &out.sig, 64, true},
  }};
  for (const auto& p : params) {  // a decoded copy of each parameter
    for (Field& f : fields) {
      if (p.key != f.key) continue;
      if (f.seen) return std::nullopt;  // given twice: which one was signed?
      f.seen = true;
      *f.value = std::string(p.value);
      if (!ValidValue(*f.value, f.max_chars)) return std::nullopt;
    }
  }
  for (const Field& f : fields) {
    if (f.required && f.value->empty()) return std::nullopt;
  }
  if (!IsLandingUrl(out.url) || !IsValidKid(out.kid)) return std::nullopt;
  const char* first = out.exp_text.data();
  const char* last = first + out.exp_text.size();
  if (*first < '0' || *first > '9') return std::nullopt;  // no sign, no space
  auto [end, ec] = std::from_chars(first, last, out.exp);
  if (ec != std::errc() || end != last) return std::nullopt;
  return out;
}

std::string AddLandingParams(std::string_view landing_url, const LandingParams& p) {
  auto parsed = boost::urls::parse_uri(landing_url);
  if (!parsed) return std::string(landing_url);  // callers pass IsLandingUrl URLs only
  boost::urls::url url(*parsed);
  // The URL's own parameters, as they were spelled, minus earlier landing parameters (by
  // decoded key) and empty ones ("?&"). Split here rather than through Boost.URL 1.81's params
  // views: their erase(key) misses keys whose value holds "=", and iterating an empty query
  // read freed memory (both found by the click_url fuzzer and its unit test).
  std::string query;
  const std::string_view own = url.has_query() ? std::string_view(url.encoded_query()) : "";
  for (size_t start = 0; start <= own.size();) {
    const size_t end = std::min(own.find('&', start), own.size());
    const std::string_view param = own.substr(start, end - start);
    start = end + 1;
    if (param.empty()) continue;
    const std::string_view raw_key = param.substr(0, param.find('='));
    auto key = boost::urls::make_pct_string_view(raw_key);  // valid: parse_uri checked it
    const std::string decoded = key ? key->decode() : std::string(raw_key);
    if (std::find(kLandingKeys.begin(), kLandingKeys.end(), decoded) != kLandingKeys.end()) {
      continue;
    }
    if (!query.empty()) query += '&';
    query += param;
  }
  // Values are written with every reserved character escaped (a space as %20, '+' as %2B),
  // so a landing page that reads its query by RFC 3986 or as a form gets the same values.
  const std::string values[] = {boost::urls::encode(p.click_id, boost::urls::unreserved_chars),
                                std::to_string(p.exp),
                                boost::urls::encode(p.sig, boost::urls::unreserved_chars),
                                boost::urls::encode(p.bid_id, boost::urls::unreserved_chars)};
  for (size_t i = 0; i < kLandingKeys.size(); ++i) {
    if (!query.empty()) query += '&';
    query += kLandingKeys[i];
    query += '=';
    query += values[i];
  }
  url.set_encoded_query(query);
  return std::string(url.buffer());
}

}  // namespace thrad
