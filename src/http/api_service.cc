#include "http/api_service.h"

#include <boost/json.hpp>
#include <utility>

#include "auth/api_key.h"
#include "enrich/enricher.h"
#include "http/json_response.h"

namespace thrad {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A plausible IPv4/IPv6 literal: only the characters such addresses use.
bool LooksLikeIp(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  for (char c : s) {
    const bool ok =
        (c >= '0' && c <= '9') || (Lower(c) >= 'a' && Lower(c) <= 'f') || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// Remembers the authenticated key on the answer (now or once committed), for the access log.
Prepared WithKey(Prepared prepared, const std::shared_ptr<const KeyRecord>& key) {
  if (!key) return prepared;
  if (auto* answer = std::get_if<ApiResponse>(&prepared)) {
    answer->key = key;
  } else if (auto* read = std::get_if<PendingRead>(&prepared)) {
    read->run = [run = std::move(read->run), key] {
      ApiResponse res = run();
      res.key = key;
      return res;
    };
  } else {
    auto& pending = std::get<PendingWrite>(prepared);
    pending.finish = [finish = std::move(pending.finish), key](const WriteOp& op) {
      ApiResponse res = finish(op);
      res.key = key;
      return res;
    };
  }
  return prepared;
}

}  // namespace

ApiService::ApiService(ServiceDeps deps, ServiceConfig config)
    : keys_(deps.keys),
      signing_keys_(deps.signing_keys),
      tags_(deps.tags),
      clicks_(deps.clicks),
      reports_(deps.reports),
      writer_(deps.writer),
      metrics_(deps.metrics),
      clock_(deps.clock),
      config_(config) {}

std::shared_ptr<const SigningKeyRing::Snapshot> ApiService::SigningKeys() {
  Result<std::shared_ptr<const SigningKeyRing::Snapshot>> keys = signing_keys_.Current();
  if (!keys.ok()) return nullptr;
  return std::move(keys).value();
}

std::optional<ApiError> ApiService::CheckHead(const std::optional<RouteMatch>& route, Method method,
                                              std::optional<uint64_t> content_length,
                                              uint64_t body_limit) const {
  if (!route) return ApiError{ApiErrorKind::kNotFound};
  if (!route->spec->Allows(method)) {
    ApiError e{ApiErrorKind::kMethodNotAllowed};
    e.allow = route->spec->AllowHeader();
    return e;
  }
  if (content_length && *content_length > body_limit) return ApiError{ApiErrorKind::kBodyTooLarge};
  return std::nullopt;
}

std::string ApiService::ClientIp(const ApiRequest& req) const {
  if (config_.trust_proxy && req.forwarded_for) {
    std::string_view first = Trim(req.forwarded_for->substr(0, req.forwarded_for->find(',')));
    if (LooksLikeIp(first)) return std::string(first);
  }
  return req.peer_ip;
}

void ApiService::Enrich(std::string& client_ip, const std::optional<std::string>& user_agent,
                        std::optional<std::string_view> header_user_agent, Enrichment& out) const {
  if (config_.enricher == nullptr) return;
  std::optional<std::string_view> agent = header_user_agent;
  if (user_agent) agent = *user_agent;
  out = config_.enricher->Enrich(client_ip, agent);
  client_ip = config_.enricher->StoredIp(client_ip);
}

std::optional<ApiError> ApiService::Authenticate(const ApiRequest& req, uint32_t scopes,
                                                 std::shared_ptr<const KeyRecord>& key) {
  std::optional<std::string_view> token;
  if (req.authorization) token = ParseBearerToken(*req.authorization);
  if (!token) {
    metrics_.CountAuthFailure(Metrics::AuthFailure::kMissingToken);
    return ApiError{ApiErrorKind::kMissingToken};
  }
  Result<std::shared_ptr<const KeyRecord>> found = keys_.Lookup(*token);
  if (!found.ok()) return ApiError{ErrorKindOf(found.status())};
  if (*found == nullptr) {
    metrics_.CountAuthFailure(Metrics::AuthFailure::kInvalidKey);
    return ApiError{ApiErrorKind::kInvalidKey};
  }
  if (!(*found)->HasAnyScope(scopes)) {
    metrics_.CountAuthFailure(Metrics::AuthFailure::kForbiddenScope);
    key = std::move(*found);  // the 403 is the partner's (access log, diagnostics)
    return ApiError{ApiErrorKind::kForbiddenScope};
  }
  key = std::move(*found);
  keys_.NoteUse(key->id, clock_.NowMicros());
  return std::nullopt;
}

Prepared ApiService::Handle(const RouteMatch& route, const ApiRequest& req) {
  const RouteSpec& spec = *route.spec;
  if (spec.tag) return HandleTag(route, req);
  ApiCall call{req, route, nullptr, req.target.validate_only, nullptr, std::nullopt};
  if (spec.scopes != 0) {
    if (auto err = Authenticate(req, spec.scopes, call.key)) {
      return WithKey(MakeErrorResponse(*err, req.request_id), call.key);
    }
    if (auto limited = CheckRateLimit(*call.key, req.request_id)) {
      return WithKey(std::move(*limited), call.key);
    }
  }
  if (!spec.AcceptsContentType(req.content_type)) {
    return WithKey(MakeErrorResponse({ApiErrorKind::kUnsupportedMediaType}, req.request_id),
                   call.key);
  }
  return WithKey((this->*spec.handler)(call), call.key);
}

std::optional<ApiResponse> ApiService::CheckRateLimit(const KeyRecord& key,
                                                      const std::string& request_id) {
  const RateLimit limit = EffectiveLimit(key, config_.rate_limit);
  if (!limit.enabled()) return std::nullopt;
  const RateDecision d = rate_limiter_.Acquire(key.id, limit, clock_.NowMicros());
  if (d.allowed) return std::nullopt;
  metrics_.rate_limited.fetch_add(1, std::memory_order_relaxed);
  ApiError error(ApiErrorKind::kRateLimited);
  error.retry_after_seconds = static_cast<int>(d.retry_after_seconds);
  ApiResponse res = MakeErrorResponse(error, request_id);
  res.AddHeader("RateLimit-Limit", std::to_string(d.limit));
  res.AddHeader("RateLimit-Remaining", std::to_string(d.remaining));
  res.AddHeader("RateLimit-Reset", std::to_string(d.reset_seconds));
  return res;
}

Prepared ApiService::HandleHealthz(const ApiCall&) {
  return JsonResponse(200, boost::json::object{{"status", "ok"}});
}

bool ApiService::StoreHealthy() const {
  if (config_.store_health != nullptr) return config_.store_health->healthy();
  return writer_.healthy() && keys_.reads_healthy();
}

Prepared ApiService::HandleReadyz(const ApiCall&) {
  const bool healthy = StoreHealthy();
  if (healthy && !writer_.Saturated()) {
    return JsonResponse(200, boost::json::object{{"status", "ready"}});
  }
  const WriterStats stats = writer_.Stats();
  return JsonResponse(503, boost::json::object{{"status", "not_ready"},
                                               {"store_healthy", healthy},
                                               {"queue_depth", stats.queue_depth}})
      .AddHeader("Retry-After", "1");
}

Prepared ApiService::HandleMetrics(const ApiCall&) {
  ApiResponse res;
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = metrics_.Render(writer_.Stats(), StoreHealthy());
  return res;
}

}  // namespace thrad
