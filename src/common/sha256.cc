#include "common/sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "common/hex.h"

namespace thrad {

std::string Sha256Hex(std::string_view data) {
  // Fetched once: SHA256() looks the algorithm up by name on every call, which was half the
  // cost of a key digest (one per authenticated request). EVP_MD objects are thread-safe.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char md[SHA256_DIGEST_LENGTH];
  if (kSha256 == nullptr ||
      EVP_Digest(data.data(), data.size(), md, nullptr, kSha256, nullptr) != 1) {
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  }
  return HexEncode(md, sizeof(md));
}

}  // namespace thrad
