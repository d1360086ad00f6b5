#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/tag.h"

namespace thrad {

// The origin rule of browser tags (TAG.md sections 1 and 2). Pure: no I/O.
//
// An origin is written `scheme://host[:port]` and kept in one canonical form, so that equal
// origins are equal strings:
// - the scheme is http or https, lowercased;
// - the host is lowercased. A name is [a-z0-9_-] labels joined by single dots (no empty label,
//   no trailing dot; a non-ASCII name is written in its xn-- form, as browsers send it). An
//   IPv4 address is kept as written; an IPv6 address in brackets, lowercased
//   ("[2001:db8::1]");
// - the port is dropped when it is the scheme's default (http 80, https 443), so
//   "https://a.example:443" is "https://a.example"; otherwise 1-65535 without leading zeros;
// - nothing else: no userinfo, path (not even "/"), query or fragment.
// An allowed origin may instead have the host `*.<name>`: any subdomain of <name> at any depth
// (a.example.com, a.b.example.com), with the same scheme and port, but not <name> itself.
//
// Origins come from browsers as the Origin header or inside the Referer URL. An Origin of
// "null" (sandboxed frames, file: pages) or anything that is not an http(s) origin matches
// nothing.

// The canonical form of one allowed origin of a tag (wildcards allowed); InvalidArgument that
// quotes `text` and says what is wrong with it.
Result<std::string> NormalizeAllowedOrigin(std::string_view text);

// Normalizes each of `texts` (the first bad one is the error), drops duplicates (after
// normalization: "https://a.example:443" and "https://a.example" are one) keeping the first
// place, and checks that 1 to kMaxOriginsPerTag remain.
Result<std::vector<std::string>> NormalizeAllowedOrigins(const std::vector<std::string>& texts);

// NormalizeAllowedOrigins of a comma-separated list (the CLI's --origins); ASCII spaces around
// each item are ignored, an empty item is an error.
Result<std::vector<std::string>> ParseOriginList(std::string_view comma_separated);

// The canonical form of an origin as a browser sends it in the Origin header; nullopt for
// "null", a wildcard or anything that is not `scheme://host[:port]` of http(s).
std::optional<std::string> CanonicalOrigin(std::string_view origin);

// The canonical origin of a Referer URL (an absolute http(s) URL; its userinfo, path, query and
// fragment are ignored), parsed with Boost.URL; nullopt when it is not such a URL.
std::optional<std::string> OriginOfReferer(std::string_view referer);

// The request's origin (TAG.md section 2): its Origin header when present (so "null" stays
// "null" and matches nothing: a Referer cannot stand in for an origin the browser withheld),
// else the origin of its Referer; nullopt when neither gives an http(s) origin.
std::optional<std::string> RequestOrigin(std::optional<std::string_view> origin_header,
                                         std::optional<std::string_view> referer);

// Whether the canonical origin `origin` (CanonicalOrigin's form) matches the allowed origin
// `allowed` (NormalizeAllowedOrigin's form): equal, or a subdomain of a wildcard's name with
// the same scheme and port.
bool OriginMatches(std::string_view allowed, std::string_view origin);

// Whether `origin` (as sent: canonicalized here) matches one of `tag`'s origins. False for a
// removed tag (the caller answers 404 for it first) and for an origin that is not an http(s)
// origin ("null" included).
bool OriginAllowed(const TagRecord& tag, std::string_view origin);
// The same for an origin already in CanonicalOrigin's form (RequestOrigin's result): the
// request path canonicalizes once and checks without parsing again.
bool CanonicalOriginAllowed(const TagRecord& tag, std::string_view canonical_origin);

// For an allowed wildcard origin, what OriginMatches compares: the scheme with "://", the
// suffix a host must end with (".example.com") and the port part (":8443" or ""). nullopt
// when `allowed` is not a wildcard. Lets an index of many tags' wildcards (TagRing) match
// without re-parsing.
struct WildcardOrigin {
  std::string scheme;  // "https://"
  std::string suffix;  // ".example.com"
  std::string port;    // ":8443" or ""
};
std::optional<WildcardOrigin> AsWildcard(std::string_view allowed);
bool WildcardMatches(const WildcardOrigin& wildcard, std::string_view origin);

}  // namespace thrad
