#include "common/random.h"

#include <openssl/rand.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

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
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  auto b = RandomBytes(bytes);
  std::string out;
  out.reserve((bytes * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= b.size(); i += 3) {
    uint32_t v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (b.size() - i == 1) {
    uint32_t v = b[i] << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (b.size() - i == 2) {
    uint32_t v = (b[i] << 16) | (b[i + 1] << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
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
