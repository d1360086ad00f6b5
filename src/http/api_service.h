#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "auth/key_cache.h"
#include "common/clock.h"
#include "http/api_request.h"
#include "http/api_response.h"
#include "http/error_mapper.h"
#include "http/metrics.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "store/group_commit_writer.h"
#include "store/store_health.h"

namespace thrad {

class AccessLog;

struct ServiceConfig {
  bool trust_proxy = false;  // use the first X-Forwarded-For hop as the client IP
  // Server-wide token bucket per API key (keys may override it); rps 0: no limit.
  RateLimit rate_limit;
  AccessLog* access_log = nullptr;  // not owned; null: no access log
  // What /readyz and thrad_store_healthy read (not owned). Null: the writer's and the key
  // cache's own health.
  const StoreHealth* store_health = nullptr;
};

// Request handling between the wire and the pure handlers: every route's common steps,
// driven by its RouteSpec (authentication, rate limit, content type), then the route's
// handler, and the mapping of store outcomes to answers. No sockets here.
// Thread-safety: all methods may be called from any I/O thread concurrently.
class ApiService {
 public:
  ApiService(KeyCache& keys, GroupCommitWriter& writer, Metrics& metrics, const Clock& clock,
             ServiceConfig config);

  // Checks that need only the request line and headers, in the spec's order: route (404),
  // method (405), announced size (413). nullopt: go on and read the body.
  std::optional<ApiError> CheckHead(const std::optional<RouteMatch>& route, Method method,
                                    std::optional<uint64_t> content_length,
                                    uint64_t body_limit) const;

  // Everything after the body arrived: the route's scope (401/403), rate limit (429) and
  // content type (415), then its handler: an answer now or a write to commit.
  Prepared Handle(const RouteMatch& route, const ApiRequest& req);

  GroupCommitWriter& writer() { return writer_; }
  Metrics& metrics() { return metrics_; }
  AccessLog* access_log() const { return config_.access_log; }

  // Route handlers, called only through the route table (route_table.cc).
  Prepared HandleCollect(const ApiCall& call);       // write_handlers.cc
  Prepared HandleCollectBatch(const ApiCall& call);  // write_handlers.cc
  Prepared HandleConversion(const ApiCall& call);    // write_handlers.cc
  Prepared HandleHealthz(const ApiCall& call);
  Prepared HandleReadyz(const ApiCall& call);
  Prepared HandleMetrics(const ApiCall& call);

 private:
  // nullopt when authenticated with `scope`; the error answer otherwise.
  std::optional<ApiError> Authenticate(const ApiRequest& req, Scope scope,
                                       std::shared_ptr<const KeyRecord>& key);
  std::string ClientIp(const ApiRequest& req) const;
  // Whether the store works as far as its users last saw (ServiceConfig::store_health).
  bool StoreHealthy() const;
  // The 429 answer when `key` is over its rate limit; nullopt otherwise.
  std::optional<ApiResponse> CheckRateLimit(const KeyRecord& key, const std::string& request_id);

  KeyCache& keys_;
  GroupCommitWriter& writer_;
  Metrics& metrics_;
  const Clock& clock_;
  const ServiceConfig config_;
  RateLimiter rate_limiter_;
};

}  // namespace thrad
