#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/tag_ring.h"
#include "http/router.h"
#include "model/records.h"

namespace thrad {

// The parts of an HTTP request the API looks at. Views point into the session's request
// and stay valid until the response is sent.
struct ApiRequest {
  Method method = Method::kOther;
  Target target;  // parsed once, by the session
  std::optional<std::string_view> authorization;
  std::optional<std::string_view> content_type;
  std::optional<std::string_view> origin;
  std::optional<std::string_view> referer;
  std::optional<std::string_view> idempotency_key;
  std::optional<std::string_view> forwarded_for;
  std::optional<std::string_view> user_agent;
  std::optional<std::string_view> sec_purpose;    // Sec-Purpose (browser prefetch)
  std::optional<std::string_view> purpose;        // Purpose (older prefetch header)
  std::optional<std::string_view> if_none_match;  // conditional GET of a web asset
  std::string_view body;
  std::string peer_ip;
  std::string request_id;
};

// One request as a route handler sees it: authenticated (when its route has a scope), its
// content type checked, its route matched.
struct ApiCall {
  const ApiRequest& req;
  const RouteMatch& route;
  std::shared_ptr<const KeyRecord> key;  // null on routes without a scope
  bool validate_only = false;
  // A browser tag's route (RouteSpec::tag): the active tags now, and the request's origin
  // (RequestOrigin of Origin and Referer; nullopt: none).
  std::shared_ptr<const TagRing::Snapshot> tags;
  std::optional<std::string> origin;
};

}  // namespace thrad
