#include "http/api_service.h"

#include <boost/json.hpp>

#include "api/collect_batch_handler.h"
#include "api/collect_handler.h"
#include "api/conversion_handler.h"
#include "api/request_context.h"
#include "auth/api_key.h"

namespace thrad {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Absent, or application/json with any parameters (charset=utf-8 ...).
bool IsJsonContentType(const std::optional<std::string_view>& content_type) {
  if (!content_type) return true;
  std::string_view media = Trim(content_type->substr(0, content_type->find(';')));
  return EqualsIgnoreCase(media, "application/json");
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

ApiResponse Json(unsigned status, const boost::json::object& body) {
  ApiResponse res;
  res.status = status;
  res.content_type = "application/json";
  res.body = boost::json::serialize(body);
  return res;
}

ApiResponse Json(unsigned status, std::string serialized) {
  ApiResponse res;
  res.status = status;
  res.content_type = "application/json";
  res.body = std::move(serialized);
  return res;
}

ApiResponse NoContent() {
  ApiResponse res;
  res.status = 204;
  return res;
}

ApiResponse Replayed(ApiResponse res) {
  res.AddHeader("Idempotent-Replayed", "true");
  return res;
}

ApiResponse Unavailable(const std::string& request_id) {
  return MakeErrorResponse({ApiErrorKind::kUnavailable}, request_id);
}

// Remembers the authenticated key on the answer (now or once committed), for the access log.
Prepared WithKey(Prepared prepared, const std::shared_ptr<const KeyRecord>& key) {
  if (auto* answer = std::get_if<ApiResponse>(&prepared)) {
    answer->key = key;
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

ApiService::ApiService(KeyCache& keys, GroupCommitWriter& writer, Metrics& metrics,
                       const Clock& clock, ServiceConfig config)
    : keys_(keys), writer_(writer), metrics_(metrics), clock_(clock), config_(config) {}

std::optional<ApiError> ApiService::CheckHead(const std::optional<RouteInfo>& route, Method method,
                                              std::optional<uint64_t> content_length,
                                              uint64_t body_limit) const {
  if (!route) return ApiError{ApiErrorKind::kNotFound};
  const bool method_ok =
      method == route->method || (route->method == Method::kGet && method == Method::kHead);
  if (!method_ok) {
    ApiError e{ApiErrorKind::kMethodNotAllowed};
    e.allow = route->allow;
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

std::optional<ApiError> ApiService::Authenticate(const ApiRequest& req, Scope scope,
                                                 std::shared_ptr<const KeyRecord>& key) {
  std::optional<std::string_view> token;
  if (req.authorization) token = ParseBearerToken(*req.authorization);
  if (!token) {
    metrics_.CountAuthFailure(Metrics::AuthFailure::kMissingToken);
    return ApiError{ApiErrorKind::kMissingToken};
  }
  Result<std::shared_ptr<const KeyRecord>> found = keys_.Lookup(*token);
  if (!found.ok()) return ApiError{ApiErrorKind::kUnavailable};
  if (*found == nullptr) {
    metrics_.CountAuthFailure(Metrics::AuthFailure::kInvalidKey);
    return ApiError{ApiErrorKind::kInvalidKey};
  }
  if (!(*found)->HasScope(scope)) {
    metrics_.CountAuthFailure(Metrics::AuthFailure::kForbiddenScope);
    return ApiError{ApiErrorKind::kForbiddenScope};
  }
  key = std::move(*found);
  keys_.NoteUse(key->id, clock_.NowMicros());
  return std::nullopt;
}

Prepared ApiService::Handle(const RouteInfo& route, const ApiRequest& req) {
  if (route.route != Route::kCollect && route.route != Route::kCollectBatch &&
      route.route != Route::kConversion) {
    return HandleOps(route.route);
  }
  const Scope scope = route.route == Route::kConversion ? Scope::kConversion : Scope::kCollect;
  std::shared_ptr<const KeyRecord> key;
  if (auto err = Authenticate(req, scope, key)) return MakeErrorResponse(*err, req.request_id);
  if (auto limited = CheckRateLimit(*key, req.request_id)) return WithKey(std::move(*limited), key);
  if (!IsJsonContentType(req.content_type)) {
    return WithKey(MakeErrorResponse({ApiErrorKind::kUnsupportedMediaType}, req.request_id), key);
  }
  const bool validate_only = ParseTarget(req.target).validate_only;
  switch (route.route) {
    case Route::kCollect:
      return WithKey(HandleCollect(req, *key, validate_only), key);
    case Route::kCollectBatch:
      return WithKey(HandleCollectBatch(req, *key, validate_only), key);
    default:
      return WithKey(HandleConversion(req, *key, validate_only), key);
  }
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

ApiResponse ApiService::HandleOps(Route route) {
  switch (route) {
    case Route::kHealthz:
      return Json(200, {{"status", "ok"}});
    case Route::kReadyz: {
      const WriterStats stats = writer_.Stats();
      if (writer_.healthy() && stats.queue_depth < writer_.options().max_queue)
        return Json(200, {{"status", "ready"}});
      return Json(503, {{"status", "not_ready"},
                        {"store_healthy", writer_.healthy()},
                        {"queue_depth", stats.queue_depth}})
          .AddHeader("Retry-After", "1");
    }
    case Route::kMetrics: {
      ApiResponse res;
      res.content_type = "text/plain; version=0.0.4; charset=utf-8";
      res.body = metrics_.Render(writer_.Stats(), writer_.healthy());
      return res;
    }
    default:
      return Json(404, {{"detail", "Not found"}});
  }
}

namespace {

RequestContext MakeContext(const ApiRequest& req, const KeyRecord& key, std::string client_ip,
                           UnixMicros now) {
  RequestContext ctx;
  ctx.partner_id = key.partner_id;
  ctx.key_id = key.id;
  ctx.key_label = key.label;
  if (req.origin) ctx.origin = std::string(*req.origin);
  if (req.referer) ctx.referer = std::string(*req.referer);
  ctx.client_ip = std::move(client_ip);
  ctx.received_at = now;
  return ctx;
}

}  // namespace

Prepared ApiService::HandleCollect(const ApiRequest& req, const KeyRecord& key,
                                   bool validate_only) {
  Parsed<EventRecord> parsed =
      ParseCollect(req.body, MakeContext(req, key, ClientIp(req), clock_.NowMicros()));
  metrics_.CountSanitized(parsed.sanitize);
  if (!parsed.ok()) {
    return MakeErrorResponse({ApiErrorKind::kValidation, std::move(parsed.errors)}, req.request_id);
  }
  auto op = std::make_unique<WriteOp>();
  op->dry_run = validate_only;
  std::string tag_id = parsed.record.tag_id;
  EventWrite write;
  write.events.push_back(std::move(parsed.record));
  op->payload = std::move(write);

  return PendingWrite{
      std::move(op),
      [this, request_id = req.request_id, validate_only,
       tag_id = std::move(tag_id)](const WriteOp& done) -> ApiResponse {
        if (!done.status.ok()) return Unavailable(request_id);
        const auto& w = std::get<EventWrite>(done.payload);
        const bool duplicate = !w.outcomes.empty() && w.outcomes[0] == WriteOutcome::kDuplicate;
        if (validate_only) {
          return Json(200, {{"status", duplicate ? "duplicate" : "valid"}, {"tag_id", tag_id}});
        }
        if (duplicate) {
          metrics_.collect_duplicates.fetch_add(1, std::memory_order_relaxed);
          return Replayed(NoContent());
        }
        return NoContent();
      }};
}

Prepared ApiService::HandleCollectBatch(const ApiRequest& req, const KeyRecord& key,
                                        bool validate_only) {
  ParsedBatch parsed =
      ParseCollectBatch(req.body, MakeContext(req, key, ClientIp(req), clock_.NowMicros()));
  metrics_.CountSanitized(parsed.sanitize);
  if (!parsed.ok()) {
    return MakeErrorResponse({ApiErrorKind::kValidation, std::move(parsed.errors)}, req.request_id);
  }
  auto count_duplicates = [this, validate_only](const std::vector<BatchItem>& items) {
    if (validate_only) return;
    const BatchCounts counts = CountBatch(items);
    metrics_.collect_duplicates.fetch_add(static_cast<uint64_t>(counts.duplicates),
                                          std::memory_order_relaxed);
  };
  if (parsed.events.empty()) {  // every event invalid: nothing to commit
    count_duplicates(parsed.items);
    return Json(200, BatchResultJson(parsed.items, parsed.events, validate_only));
  }
  // All valid events of the request in ONE op: they commit together.
  auto op = std::make_unique<WriteOp>();
  op->dry_run = validate_only;
  EventWrite write;
  write.events = std::move(parsed.events);
  op->payload = std::move(write);

  return PendingWrite{
      std::move(op),
      [request_id = req.request_id, validate_only, count_duplicates,
       items = std::move(parsed.items)](const WriteOp& done) mutable -> ApiResponse {
        if (!done.status.ok()) return Unavailable(request_id);
        const auto& w = std::get<EventWrite>(done.payload);
        ApplyBatchOutcomes(items, w.outcomes);
        count_duplicates(items);
        return Json(200, BatchResultJson(items, w.events, validate_only));
      }};
}

Prepared ApiService::HandleConversion(const ApiRequest& req, const KeyRecord& key,
                                      bool validate_only) {
  Parsed<ConversionRecord> parsed = ParseConversion(
      req.body, req.idempotency_key, MakeContext(req, key, ClientIp(req), clock_.NowMicros()));
  metrics_.CountSanitized(parsed.sanitize);
  if (!parsed.ok()) {
    return MakeErrorResponse({ApiErrorKind::kValidation, std::move(parsed.errors)}, req.request_id);
  }
  auto op = std::make_unique<WriteOp>();
  op->dry_run = validate_only;
  op->payload = ConversionWrite{std::move(parsed.record)};

  return PendingWrite{
      std::move(op),
      [this, request_id = req.request_id, validate_only](const WriteOp& done) -> ApiResponse {
        if (!done.status.ok()) return Unavailable(request_id);
        const auto& w = std::get<ConversionWrite>(done.payload);
        switch (w.outcome) {
          case WriteOutcome::kClickNotFound:
            return MakeErrorResponse({ApiErrorKind::kClickNotFound}, request_id);
          case WriteOutcome::kClickMissingBid:
            return MakeErrorResponse({ApiErrorKind::kClickMissingBid}, request_id);
          case WriteOutcome::kPayloadMismatch:
            metrics_.idempotency_mismatches.fetch_add(1, std::memory_order_relaxed);
            return MakeErrorResponse({ApiErrorKind::kIdempotencyMismatch}, request_id);
          case WriteOutcome::kDuplicate:
            if (!validate_only) {
              metrics_.conversion_duplicates.fetch_add(1, std::memory_order_relaxed);
            }
            return Replayed(Json(200, std::string(R"({"status":"duplicate"})")));
          case WriteOutcome::kStored:
            break;
          case WriteOutcome::kPending:
            return Unavailable(request_id);
        }
        if (!validate_only) return Json(200, std::string(R"({"status":"ok"})"));
        const ConversionRecord& c = w.conversion;
        boost::json::object body{
            {"status", "valid"}, {"event_type", c.event_type}, {"currency", c.currency}};
        const std::optional<std::string> source = DedupSourceName(c.dedup_source);
        body["dedup_source"] = source ? boost::json::value(*source) : boost::json::value(nullptr);
        body["bid_id"] = c.bid_id ? boost::json::value(*c.bid_id) : boost::json::value(nullptr);
        body["campaign_id"] =
            c.campaign_id ? boost::json::value(*c.campaign_id) : boost::json::value(nullptr);
        return Json(200, body);
      }};
}

}  // namespace thrad
