#include "auth/signing.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdlib>
#include <utility>
#include <vector>

#include "common/base64url.h"

namespace thrad {

namespace {

// OpenSSL 3's one-shot HMAC() fetches the HMAC and SHA-256 implementations by name, under a
// lock, on every call; click registration signs 100 landing parameters per request. So each
// thread keeps a few contexts already keyed with a secret, and re-initialises one per
// signature (EVP_MAC_init with a null key keeps the key): no fetch, no allocation.
class HmacContexts {
 public:
  HmacContexts() = default;
  HmacContexts(const HmacContexts&) = delete;
  HmacContexts& operator=(const HmacContexts&) = delete;
  ~HmacContexts() {
    for (Entry& e : entries_) Drop(e);
  }

  // A context keyed with `secret`, ready for EVP_MAC_update; nullptr when OpenSSL fails.
  EVP_MAC_CTX* For(std::string_view secret) {
    for (Entry& e : entries_) {
      if (e.secret == secret) {
        if (EVP_MAC_init(e.ctx, nullptr, 0, nullptr) != 1) return nullptr;
        return e.ctx;
      }
    }
    if (entries_.size() == kMaxKeys) {  // keys rotate rarely: drop the oldest
      Drop(entries_.front());
      entries_.erase(entries_.begin());
    }
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return nullptr;
    Entry e{std::string(secret), EVP_MAC_CTX_new(mac)};
    if (e.ctx == nullptr) return nullptr;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(e.ctx, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                     params) != 1) {
      Drop(e);
      return nullptr;
    }
    entries_.push_back(std::move(e));
    return entries_.back().ctx;
  }

 private:
  static constexpr size_t kMaxKeys = 8;
  struct Entry {
    std::string secret;
    EVP_MAC_CTX* ctx;
  };
  static void Drop(Entry& e) {
    EVP_MAC_CTX_free(e.ctx);
    OPENSSL_cleanse(e.secret.data(), e.secret.size());
  }
  std::vector<Entry> entries_;
};

}  // namespace

std::string HmacSha256(std::string_view secret, std::string_view message) {
  thread_local HmacContexts contexts;
  unsigned char md[EVP_MAX_MD_SIZE];
  size_t len = 0;
  EVP_MAC_CTX* ctx = contexts.For(secret);
  if (ctx == nullptr ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()), message.size()) !=
          1 ||
      EVP_MAC_final(ctx, md, &len, sizeof md) != 1) {
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
