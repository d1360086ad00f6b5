#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace thrad {

// "site:<host>" from the first source that is an absolute http/https URL with a host:
// page_url, then the Origin header, then the Referer header; "site:unknown" when none is.
// The host is lowercased, without port, userinfo or trailing dot. Uses Boost.URL.
std::string DeriveTagId(std::optional<std::string_view> page_url,
                        std::optional<std::string_view> origin,
                        std::optional<std::string_view> referer);

// The host of an absolute http/https URL, normalized as above; nullopt otherwise.
std::optional<std::string> HttpHost(std::string_view url);

}  // namespace thrad
