#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace thrad {

// "site:<host>" from the first source that is an absolute http/https URL with a host:
// page_url, then the Origin header, then the Referer header; "site:unknown" when none is.
// A source that is absent or not such a URL is skipped. See HttpHost for the host.
std::string DeriveTagId(std::optional<std::string_view> page_url,
                        std::optional<std::string_view> origin,
                        std::optional<std::string_view> referer);

// The host of an absolute http/https URL (RFC 3986, parsed with Boost.URL; a fragment is
// allowed; surrounding ASCII whitespace is ignored), normalized: the scheme is matched without
// regard to case, the host is lowercased and has no port, userinfo or trailing dots. A name is
// percent-decoded and must then consist of [a-z0-9._~-]. An IPv4 address is kept as written;
// an IPv6 address keeps its brackets ("[2001:db8::1]", so a tag stays unambiguous). nullopt for
// anything else: another scheme, a relative URL, an empty host, an IPvFuture literal.
std::optional<std::string> HttpHost(std::string_view url);

}  // namespace thrad
