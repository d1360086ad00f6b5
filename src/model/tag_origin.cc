// The origin rule (tag_origin.h). One parser serves the three sources of an origin: a tag's
// allowed origins (strict, with messages for the CLI), a request's Origin header and its
// Referer URL (nullopt instead of messages: the request path never explains a bad header).
#include "model/tag_origin.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <unordered_set>
#include <utility>

namespace thrad {
namespace {

enum class Source {
  kAllowed,  // a tag's allowed origin: wildcards allowed, errors explained
  kOrigin,   // an Origin header
  kReferer,  // a Referer URL: userinfo, path, query and fragment are ignored
};

constexpr size_t kMaxHostChars = 253;  // DNS
constexpr size_t kMaxLabelChars = 63;  // DNS

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

Status Bad(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("origin '" + std::string(text) + "': " + std::string(why));
}

bool IsLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Whether lowercased `name` is a host name: labels of [a-z0-9_-] joined by single dots, within
// DNS's lengths, and not ending in a numeric label (browsers read "1.2.3" as an IPv4 address).
bool IsHostName(std::string_view name) {
  if (name.empty() || name.size() > kMaxHostChars) return false;
  bool numeric = true;
  size_t label = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > kMaxLabelChars) return false;
      if (i == name.size()) return !numeric;
      label = 0;
      numeric = true;
      continue;
    }
    if (!IsLabelChar(name[i])) return false;
    numeric = numeric && name[i] >= '0' && name[i] <= '9';
    ++label;
  }
  return true;
}

// The port part of the canonical form: "" for none or the scheme's default, else ":N".
Result<std::string> PortPart(std::string_view text, std::string_view scheme,
                             std::string_view port) {
  // Boost.URL's grammar makes `port` digits only. An empty port ("https://a.example:") is no
  // port, as browsers read it; leading zeros are dropped.
  while (port.size() > 1 && port.front() == '0') port.remove_prefix(1);
  if (port.empty()) return std::string();
  if (port.size() > 5 || std::stoul(std::string(port)) > 65535 || port == "0") {
    return Bad(text, "the port must be 1-65535");
  }
  if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) {
    return std::string();  // the default: "https://a.example:443" is "https://a.example"
  }
  return ":" + std::string(port);
}

Result<std::string> Canonical(std::string_view text, Source source) {
  constexpr std::string_view kForm =
      "an origin is scheme://host[:port], e.g. https://shop.example.com";
  if (text.empty()) return Bad(text, kForm);
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return Bad(text, kForm);
  const boost::urls::url_view& u = *parsed;
  const std::string scheme = Lowered(u.scheme());
  if (scheme != "http" && scheme != "https") return Bad(text, "the scheme must be http or https");
  if (!u.has_authority()) return Bad(text, kForm);
  if (source != Source::kReferer) {
    if (u.has_userinfo()) return Bad(text, "an origin has no user name or password");
    if (!u.encoded_path().empty() || u.has_query() || u.has_fragment()) {
      return Bad(text, "an origin has no path, query or fragment (not even a trailing '/')");
    }
  }

  std::string host;
  bool wildcard = false;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      host = u.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      // One spelling per address (RFC 5952: lowercase, zeros compressed), as browsers write it.
      host = "[" + u.host_ipv6_address().to_string() + "]";
      break;
    case boost::urls::host_type::name: {
      // Browsers send names in ASCII (xn-- for IDNs) and never percent-encoded.
      std::string_view encoded = u.encoded_host();
      if (encoded.find('%') != std::string_view::npos) {
        return Bad(text, "the host must be written without %-escapes (xn-- form for IDNs)");
      }
      host = Lowered(encoded);
      if (host.starts_with("*.") && source == Source::kAllowed) {
        wildcard = true;
        host.erase(0, 2);
      }
      if (host.find('*') != std::string::npos) {
        return Bad(text, "a wildcard must be the whole first label, as in https://*.example.com");
      }
      if (!IsHostName(host)) return Bad(text, "'" + host + "' is not a valid host name");
      break;
    }
    default:
      return Bad(text, "no host");
  }
  Result<std::string> port = PortPart(text, scheme, u.has_port() ? u.port() : "");
  if (!port.ok()) return port.status();
  return scheme + "://" + (wildcard ? "*." : "") + host + *port;
}

}  // namespace

Result<std::string> NormalizeAllowedOrigin(std::string_view text) {
  return Canonical(text, Source::kAllowed);
}

Result<std::vector<std::string>> NormalizeAllowedOrigins(const std::vector<std::string>& texts) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (const std::string& text : texts) {
    Result<std::string> origin = NormalizeAllowedOrigin(text);
    if (!origin.ok()) return origin.status();
    if (seen.insert(*origin).second) out.push_back(std::move(origin).value());
  }
  if (out.empty()) return Status::InvalidArgument("a tag needs at least one origin");
  if (out.size() > kMaxOriginsPerTag) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxOriginsPerTag) +
                                   " origins per tag, got " + std::to_string(out.size()));
  }
  return out;
}

Result<std::vector<std::string>> ParseOriginList(std::string_view comma_separated) {
  std::vector<std::string> items;
  while (true) {
    const size_t comma = comma_separated.find(',');
    std::string_view item = comma_separated.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) {
      return Status::InvalidArgument(
          "empty origin in the list: separate origins with single commas");
    }
    items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    comma_separated.remove_prefix(comma + 1);
  }
  return NormalizeAllowedOrigins(items);
}

std::optional<std::string> CanonicalOrigin(std::string_view origin) {
  if (origin == "null") return std::nullopt;  // the opaque origin: not a place a tag can allow
  Result<std::string> canonical = Canonical(origin, Source::kOrigin);
  if (!canonical.ok()) return std::nullopt;
  return std::move(canonical).value();
}

std::optional<std::string> OriginOfReferer(std::string_view referer) {
  Result<std::string> canonical = Canonical(referer, Source::kReferer);
  if (!canonical.ok()) return std::nullopt;
  return std::move(canonical).value();
}

std::optional<std::string> RequestOrigin(std::optional<std::string_view> origin_header,
                                         std::optional<std::string_view> referer) {
  if (origin_header) return CanonicalOrigin(*origin_header);
  if (referer) return OriginOfReferer(*referer);
  return std::nullopt;
}

std::optional<WildcardOrigin> AsWildcard(std::string_view allowed) {
  const size_t sep = allowed.find("://*.");
  if (sep == std::string_view::npos) return std::nullopt;
  WildcardOrigin w;
  w.scheme = std::string(allowed.substr(0, sep + 3));
  std::string_view rest = allowed.substr(sep + 4);  // ".example.com[:port]"
  const size_t colon = rest.find(':');
  w.suffix = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) w.port = std::string(rest.substr(colon));
  return w;
}

bool WildcardMatches(const WildcardOrigin& wildcard, std::string_view origin) {
  if (!origin.starts_with(wildcard.scheme)) return false;
  std::string_view rest = origin.substr(wildcard.scheme.size());
  if (rest.starts_with('[')) return false;  // an IPv6 address is nobody's subdomain
  const size_t colon = rest.find(':');
  const std::string_view host = rest.substr(0, colon);
  const std::string_view port =
      colon == std::string_view::npos ? std::string_view() : rest.substr(colon);
  // Strictly longer than ".example.com": "example.com" itself and "evil-example.com" do not end
  // with it, "a.example.com" and "a.b.example.com" do.
  return port == wildcard.port && host.size() > wildcard.suffix.size() &&
         host.ends_with(wildcard.suffix);
}

bool OriginMatches(std::string_view allowed, std::string_view origin) {
  if (allowed == origin) return true;
  std::optional<WildcardOrigin> wildcard = AsWildcard(allowed);
  return wildcard.has_value() && WildcardMatches(*wildcard, origin);
}

bool OriginAllowed(const TagRecord& tag, std::string_view origin) {
  std::optional<std::string> canonical = CanonicalOrigin(origin);
  return canonical && CanonicalOriginAllowed(tag, *canonical);
}

bool CanonicalOriginAllowed(const TagRecord& tag, std::string_view canonical_origin) {
  if (!tag.active()) return false;
  for (const std::string& allowed : tag.origins) {
    if (OriginMatches(allowed, canonical_origin)) return true;
  }
  return false;
}

}  // namespace thrad
