#include "common/random.h"

#include <openssl/rand.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "common/base64url.h"
#include "common/hex.h"

namespace thrad {
namespace {

std::vector<unsigned char> RandomBytes(size_t n) {
  std::vector<unsigned char> buf(n);
  if (RAND_bytes(buf.data(), static_cast<int>(n)) != 1) {
    std::fputs("fatal: OpenSSL RAND_bytes failed\n", stderr);
    std::abort();
  }
  return buf;
}

}  // namespace

std::string RandomHex(size_t bytes) {
  auto b = RandomBytes(bytes);
  return HexEncode(b.data(), b.size());
}

std::string RandomBase64Url(size_t bytes) {
  const auto b = RandomBytes(bytes);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

std::string RandomUuidV4() {
  auto b = RandomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  std::string h = HexEncode(b.data(), b.size());
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

}  // namespace thrad
