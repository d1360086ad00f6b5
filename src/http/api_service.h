#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "auth/key_cache.h"
#include "common/clock.h"
#include "http/api_response.h"
#include "http/error_mapper.h"
#include "http/metrics.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "model/write_op.h"
#include "store/group_commit_writer.h"

namespace thrad {

// The parts of an HTTP request the API looks at. Views point into the session's request
// and stay valid until the response is sent.
struct ApiRequest {
  Method method = Method::kOther;
  std::string_view target;
  std::optional<std::string_view> authorization;
  std::optional<std::string_view> content_type;
  std::optional<std::string_view> origin;
  std::optional<std::string_view> referer;
  std::optional<std::string_view> idempotency_key;
  std::optional<std::string_view> forwarded_for;
  std::string_view body;
  std::string peer_ip;
  std::string request_id;
};

class AccessLog;

struct ServiceConfig {
  bool trust_proxy = false;  // use the first X-Forwarded-For hop as the client IP
  // Server-wide token bucket per API key (keys may override it); rps 0: no limit.
  RateLimit rate_limit;
  AccessLog* access_log = nullptr;  // not owned; null: no access log
};

// A write that must commit before the answer: the session submits `op` to the writer,
// awaits its completion, then calls `finish` on its own thread to build the response.
struct PendingWrite {
  std::unique_ptr<WriteOp> op;
  std::function<ApiResponse(const WriteOp&)> finish;
};
using Prepared = std::variant<ApiResponse, PendingWrite>;

// Request handling between the wire and the handlers: authentication, content type,
// parsing, and mapping store outcomes to answers. No sockets here.
// Thread-safety: all methods may be called from any I/O thread concurrently.
class ApiService {
 public:
  ApiService(KeyCache& keys, GroupCommitWriter& writer, Metrics& metrics, const Clock& clock,
             ServiceConfig config);

  // Checks that need only the request line and headers, in the spec's order: route,
  // method, size. nullopt: go on and read the body.
  std::optional<ApiError> CheckHead(const std::optional<RouteInfo>& route, Method method,
                                    std::optional<uint64_t> content_length,
                                    uint64_t body_limit) const;

  // Everything after the body arrived: auth, content type, validation, then either an
  // answer now or a write to commit.
  Prepared Handle(const RouteInfo& route, const ApiRequest& req);

  GroupCommitWriter& writer() { return writer_; }
  Metrics& metrics() { return metrics_; }
  AccessLog* access_log() const { return config_.access_log; }

 private:
  Prepared HandleCollect(const ApiRequest& req, const KeyRecord& key, bool validate_only);
  Prepared HandleCollectBatch(const ApiRequest& req, const KeyRecord& key, bool validate_only);
  Prepared HandleConversion(const ApiRequest& req, const KeyRecord& key, bool validate_only);
  ApiResponse HandleOps(Route route);
  // nullopt when authenticated with `scope`; the error answer otherwise.
  std::optional<ApiError> Authenticate(const ApiRequest& req, Scope scope,
                                       std::shared_ptr<const KeyRecord>& key);
  std::string ClientIp(const ApiRequest& req) const;
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
