#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace thrad {

// The canonical text of an IPv4 or IPv6 address (inet_ntop's spelling: "2001:db8::1"; an
// IPv4-mapped IPv6 address becomes its IPv4 form), or nullopt when `ip` is not an address.
std::optional<std::string> CanonicalIp(std::string_view ip);

// `ip` with its host part cleared, as `serve --ip-anonymize` stores it: IPv4 loses its last
// octet ("203.0.113.77" -> "203.0.113.0"), IPv6 its last 80 bits ("2001:db8:1:2:3:4:5:6" ->
// "2001:db8:1::"). Not an address: nullopt.
std::optional<std::string> AnonymizeIp(std::string_view ip);

}  // namespace thrad
