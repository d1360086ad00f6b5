#include "api/tag_id.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "api/ascii.h"
#include "api/string_fields.h"

namespace thrad {
namespace {

// Characters a DNS name may carry here (unreserved, RFC 3986 section 2.3).
bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

}  // namespace

namespace {

std::optional<std::string> ParseHttpHost(std::string_view url) {
  auto parsed = boost::urls::parse_uri(TrimWhitespace(url));  // fragments are allowed
  if (!parsed) return std::nullopt;
  const boost::urls::url_view& u = *parsed;
  if (!EqualsIgnoreCase(u.scheme(), "http") && !EqualsIgnoreCase(u.scheme(), "https")) {
    return std::nullopt;
  }
  if (!u.has_authority()) return std::nullopt;

  std::string host;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      host = u.encoded_host();  // IPv6 keeps its brackets: "[2001:db8::1]"
      break;
    case boost::urls::host_type::name:
      host = u.host();  // percent-decoded
      break;
    default:  // IPvFuture, no host
      return std::nullopt;
  }
  for (char& c : host) c = AsciiLower(c);
  if (u.host_type() == boost::urls::host_type::name) {
    while (!host.empty() && host.back() == '.') host.pop_back();
    for (char c : host) {
      if (!IsHostChar(c)) return std::nullopt;
    }
  }
  if (host.empty()) return std::nullopt;
  return host;
}

}  // namespace

std::optional<std::string> HttpHost(std::string_view url) {
  // A one-entry memo per thread: consecutive events (a batch, a busy page) mostly carry the
  // same URL, and parsing it was most of the cost of deriving a tag_id.
  thread_local std::string last_url;
  thread_local std::optional<std::string> last_host;
  thread_local bool have_last = false;
  if (have_last && url == last_url) return last_host;
  std::optional<std::string> host = ParseHttpHost(url);
  last_url.assign(url);
  last_host = host;
  have_last = true;
  return host;
}

std::string DeriveTagId(std::optional<std::string_view> page_url,
                        std::optional<std::string_view> origin,
                        std::optional<std::string_view> referer) {
  for (const auto& source : {page_url, origin, referer}) {
    if (!source) continue;
    if (std::optional<std::string> host = HttpHost(*source)) return "site:" + *host;
  }
  return "site:unknown";
}

}  // namespace thrad
