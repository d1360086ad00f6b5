#include "auth/signing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "common/base64url.h"

namespace thrad {

std::string HmacSha256(std::string_view secret, std::string_view message) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), md,
           &len) == nullptr) {
    std::abort();  // OpenSSL cannot compute HMAC-SHA256: nothing can be signed or verified
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string ClickUrlMessage(const ClickUrlFields& f) {
  std::string m = "thrad-click-url.v1\n";
  m.reserve(m.size() + f.partner.size() + f.bid.size() + f.campaign.size() + f.tag.size() +
            f.url.size() + f.exp.size() + 5);
  for (std::string_view part : {f.partner, f.bid, f.campaign, f.tag, f.url}) {
    m += part;
    m += '\n';
  }
  m += f.exp;
  return m;
}

std::string ClickUrlSignature(std::string_view secret, const ClickUrlFields& fields) {
  return Base64UrlEncode(HmacSha256(secret, ClickUrlMessage(fields)));
}

std::string LandingSignature(std::string_view kid, std::string_view secret,
                             std::string_view click_id, int64_t exp) {
  std::string message = "thrad-landing.v1\n";
  message += click_id;
  message += '\n';
  message += std::to_string(exp);
  std::string out = "v1.";
  out += kid;
  out += '.';
  out += Base64UrlEncode(HmacSha256(secret, message));
  return out;
}

std::optional<LandingSignatureParts> SplitLandingSignature(std::string_view thrad_sig) {
  if (thrad_sig.substr(0, 3) != "v1.") return std::nullopt;
  const std::string_view rest = thrad_sig.substr(3);
  const size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  LandingSignatureParts parts{rest.substr(0, dot), rest.substr(dot + 1)};
  if (!IsValidKid(parts.kid) || parts.sig.empty()) return std::nullopt;
  return parts;
}

bool SignaturesEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace thrad
