#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/signing_key.h"

namespace thrad {

// The signatures of CLICKS.md: click URLs made by ad servers (section 2) and the landing
// parameters handed to visitors (section 3). Secrets are the 32 raw bytes of a signing key;
// signatures are unpadded base64url. Pure functions; thread-safe.

// HMAC-SHA256(secret, message): 32 raw bytes.
std::string HmacSha256(std::string_view secret, std::string_view message);

// The signed values of a click URL, exactly as decoded from its query (an absent optional
// value is the empty string; exp as its decimal digits appear).
struct ClickUrlFields {
  std::string_view partner;
  std::string_view bid;
  std::string_view campaign;
  std::string_view tag;
  std::string_view url;
  std::string_view exp;
};

// "thrad-click-url.v1\n" + partner + "\n" + bid + "\n" + campaign + "\n" + tag + "\n" + url +
// "\n" + exp.
std::string ClickUrlMessage(const ClickUrlFields& fields);
// base64url(HMAC-SHA256(secret, ClickUrlMessage(fields))).
std::string ClickUrlSignature(std::string_view secret, const ClickUrlFields& fields);

// "v1." + kid + "." + base64url(HMAC-SHA256(secret, "thrad-landing.v1\n" + click_id + "\n" +
// exp)): the thrad_sig landing parameter.
std::string LandingSignature(std::string_view kid, std::string_view secret,
                             std::string_view click_id, int64_t exp);

// The parts of a landing signature "v1.<kid>.<sig>"; nullopt when it is not of that form.
struct LandingSignatureParts {
  std::string_view kid;
  std::string_view sig;
};
std::optional<LandingSignatureParts> SplitLandingSignature(std::string_view thrad_sig);

// Equality of two signatures (as canonical strings) in time independent of where they
// differ.
bool SignaturesEqual(std::string_view a, std::string_view b);

}  // namespace thrad
