#include "common/ip_address.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace thrad {
namespace {

struct Parsed {
  int family = 0;  // AF_INET or AF_INET6
  std::array<unsigned char, 16> bytes{};
};

std::optional<Parsed> Parse(std::string_view ip) {
  if (ip.empty() || ip.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char text[INET6_ADDRSTRLEN];
  std::memcpy(text, ip.data(), ip.size());
  text[ip.size()] = '\0';
  Parsed p;
  if (inet_pton(AF_INET, text, p.bytes.data()) == 1) {
    p.family = AF_INET;
    return p;
  }
  if (inet_pton(AF_INET6, text, p.bytes.data()) != 1) return std::nullopt;
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(p.bytes.data(), kMapped, sizeof kMapped) == 0) {
    std::memmove(p.bytes.data(), p.bytes.data() + 12, 4);
    p.family = AF_INET;
    return p;
  }
  p.family = AF_INET6;
  return p;
}

std::string Format(const Parsed& p) {
  char text[INET6_ADDRSTRLEN];
  inet_ntop(p.family, p.bytes.data(), text, sizeof text);
  return text;
}

}  // namespace

std::optional<std::string> CanonicalIp(std::string_view ip) {
  std::optional<Parsed> p = Parse(ip);
  if (!p) return std::nullopt;
  return Format(*p);
}

std::optional<std::string> AnonymizeIp(std::string_view ip) {
  std::optional<Parsed> p = Parse(ip);
  if (!p) return std::nullopt;
  if (p->family == AF_INET) {
    p->bytes[3] = 0;
  } else {
    std::fill(p->bytes.begin() + 6, p->bytes.end(), 0);  // keep 48 bits, clear 80
  }
  return Format(*p);
}

}  // namespace thrad
