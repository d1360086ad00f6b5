#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "http/api_response.h"
#include "model/records.h"

namespace thrad {

class ApiService;
struct ApiCall;

// HTTP methods a route can answer, as bits of a set.
enum class Method : uint8_t { kOther = 0, kGet = 1, kHead = 2, kPost = 4, kOptions = 8 };
using MethodSet = uint8_t;
constexpr MethodSet operator|(Method a, Method b) {
  return static_cast<MethodSet>(static_cast<uint8_t>(a) | static_cast<uint8_t>(b));
}
constexpr MethodSet Methods(Method m) { return static_cast<MethodSet>(m); }
constexpr uint32_t Scopes(Scope s) { return static_cast<uint32_t>(s); }

// Media types a route accepts for its body; a route without any reads no body. kJsonOrText:
// application/json or text/plain (what navigator.sendBeacon sends), both parsed as JSON
// (TAG.md section 2). A request without a Content-Type is accepted by both.
enum class MediaType : uint8_t { kNone = 0, kJson = 1, kJsonOrText = 2 };

// Which body limit applies (ServerConfig::body_limit or batch_body_limit).
enum class BodyLimitClass : uint8_t { kSmall, kBatch };

// A route handler: a method of ApiService that turns an authenticated, typed call into an
// answer or a write (the pure parsing and validation live in src/api).
using RouteHandler = Prepared (ApiService::*)(const ApiCall&);

// Everything the server knows about one route: the single source of the router, the Allow
// header, authentication, content types, body limits, metrics and access-log labels.
// Entries are written once, in route_table.cc; a unit test walks them.
struct RouteSpec {
  // Bounded label for metrics and logs ("collect"); unique.
  std::string_view name;
  // The canonical path first, then its aliases. A path whose last segment is "{name}"
  // matches one non-empty segment there and hands it to the handler (RouteMatch::param).
  std::span<const std::string_view> paths;
  // GET implies HEAD (answered without a body).
  MethodSet methods;
  // The key scopes of which a request needs one (Scope bits); 0: no key is asked for.
  uint32_t scopes = 0;
  BodyLimitClass body_limit = BodyLimitClass::kSmall;
  // Content types accepted for the body (415 otherwise); kNone: the body is not read.
  MediaType accepts = MediaType::kNone;
  RouteHandler handler = nullptr;
  // A browser tag's route (TAG.md section 2, the /v1/t/ paths): no key; the tag and origin rule,
  // CORS headers, OPTIONS preflights and the per-client-IP tag rate limit (ApiService::HandleTag).
  bool tag = false;
  // Every answer, errors included, has the pixel's 1x1 GIF body (TAG.md section 4).
  bool gif = false;

  bool Allows(Method m) const;
  // Whether a body with this Content-Type (nullopt: none) is one `accepts` takes: none, or
  // application/json, or also text/plain for kJsonOrText; parameters (charset=...) and case are
  // ignored. Always true for kNone (no body is read).
  bool AcceptsContentType(std::optional<std::string_view> content_type) const;
  // The value of the Allow header on 405: "POST", "GET, HEAD", "POST, OPTIONS".
  std::string AllowHeader() const;
};

// Every route, in a fixed order (the order of /metrics series).
std::span<const RouteSpec> Routes();

}  // namespace thrad
