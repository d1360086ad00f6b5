#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/signing_key.h"

namespace thrad {

// The click URL of CLICKS.md section 2: GET /v1/click?partner=P&bid=B&campaign=C&tag=T&url=U
// &exp=E&kid=K&sig=S. Pure parsing and checks; the signature is verified by the caller, who
// holds the keys (auth/signing.h: its ClickUrlFields are partner, bid, campaign, tag, url and
// exp_text of a ClickUrl).

inline constexpr size_t kMaxClickPartnerChars = 128;
inline constexpr size_t kMaxClickIdChars = 256;  // bid, campaign, tag, click_id
inline constexpr size_t kMaxLandingUrlChars = 2048;

struct ClickUrl {
  std::string partner;
  std::string bid;
  std::string campaign;  // "" when absent
  std::string tag;       // "" when absent
  std::string url;       // the landing URL, absolute http(s)
  std::string exp_text;  // exp's digits exactly as in the query: they are what was signed
  int64_t exp = 0;       // Unix seconds
  std::string kid;
  std::string sig;
};

// The click URL's values from its query string (without the '?'), decoded by the
// application/x-www-form-urlencoded rules ('+' is a space). nullopt answers 400 "Invalid
// click URL": a required parameter missing or empty, one given twice, a value too long or
// holding a control character or invalid UTF-8, `exp` not a decimal integer, or `url` not an
// absolute http(s) URL. Parameters it does not know are ignored (they are not signed).
std::optional<ClickUrl> ParseClickUrl(std::string_view query);

// True for an absolute http or https URL with a host, of at most kMaxLandingUrlChars
// characters, without control characters.
bool IsLandingUrl(std::string_view url);

// The landing parameters handed to a visitor (CLICKS.md section 3).
struct LandingParams {
  std::string click_id;
  int64_t exp = 0;  // thrad_exp
  std::string sig;  // thrad_sig
  std::string bid_id;
};

// `landing_url` with the landing parameters added: its own parameters keep their order and
// spelling, any existing thrad_click_id, thrad_exp, thrad_sig and thrad_bid_id are removed,
// then those four are appended in that order; a fragment stays at the end. `landing_url`
// must satisfy IsLandingUrl.
std::string AddLandingParams(std::string_view landing_url, const LandingParams& params);

}  // namespace thrad
