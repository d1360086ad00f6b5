// The browser tag routes (TAG.md): POST /v1/t/collect, GET /v1/t/p.gif and
// POST /v1/t/conversion, and the steps they share (HandleTag): the tag ring and the request's
// origin, CORS headers on every answer for an origin some active tag allows, OPTIONS
// preflights, the per-client-IP rate limit and the content type. The pure parsing and the
// origin rule live in src/api (tag_collect_handler.h, tag_conversion_handler.h,
// pixel_query.h); writes take the same group commit as the S2S routes.
#include <algorithm>
#include <functional>
#include <string>
#include <utility>

#include "api/pixel_query.h"
#include "api/tag_collect_handler.h"
#include "api/tag_conversion_handler.h"
#include "http/api_service.h"
#include "http/json_response.h"
#include "model/tag_origin.h"

namespace thrad {
namespace {

// The pixel's answer: a 1x1 transparent GIF89a (43 bytes), the same for every status.
constexpr unsigned char kPixelGif[] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

// Makes `res` the pixel's answer: its status stays, its body becomes the GIF, never cached.
// A 204 (the preflight) keeps no body.
void AsPixel(ApiResponse& res) {
  res.AddHeader("Cache-Control", "no-store");
  if (res.status == 204) return;
  res.content_type = "image/gif";
  res.body.assign(reinterpret_cast<const char*>(kPixelGif), sizeof(kPixelGif));
}

// Applies `f` to the answer: now, or once the write committed.
Prepared Decorate(Prepared prepared, std::function<void(ApiResponse&)> f) {
  if (auto* answer = std::get_if<ApiResponse>(&prepared)) {
    f(*answer);
  } else {
    auto& pending = std::get<PendingWrite>(prepared);
    pending.finish = [finish = std::move(pending.finish), f = std::move(f)](const WriteOp& op) {
      ApiResponse res = finish(op);
      f(res);
      return res;
    };
  }
  return prepared;
}

// The partner of a browser request, for the access log (there is no key to name it).
Prepared WithPartner(Prepared prepared, std::string partner_id) {
  if (partner_id.empty()) return prepared;
  return Decorate(std::move(prepared), [partner_id = std::move(partner_id)](ApiResponse& res) {
    res.partner_id = partner_id;
  });
}

// The OPTIONS answer of every /v1/t/ path (TAG.md section 2); HandleTag adds the origin.
ApiResponse Preflight() {
  ApiResponse res;
  res.status = 204;
  res.AddHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  res.AddHeader("Access-Control-Allow-Headers", "Content-Type");
  res.AddHeader("Access-Control-Max-Age", "86400");
  return res;
}

TagLookup FinderOf(const ApiCall& call) {
  return [tags = call.tags.get()](std::string_view tag_id) { return tags->Find(tag_id); };
}

// The 404/403 of the origin rule, counted.
ApiResponse Refused(Metrics& metrics, TagRefusal refusal, const std::string& request_id) {
  if (refusal == TagRefusal::kTagNotFound) {
    metrics.CountTagRefused(Metrics::TagRefusal::kTagNotFound);
    return MakeErrorResponse({ApiErrorKind::kTagNotFound}, request_id);
  }
  metrics.CountTagRefused(Metrics::TagRefusal::kOriginNotAllowed);
  return MakeErrorResponse({ApiErrorKind::kOriginNotAllowed}, request_id);
}

}  // namespace

Prepared ApiService::HandleTag(const RouteMatch& route, const ApiRequest& req) {
  const RouteSpec& spec = *route.spec;
  ApiCall call{req, route, nullptr, false, nullptr, std::nullopt};
  call.origin = RequestOrigin(req.origin, req.referer);
  Result<std::shared_ptr<const TagRing::Snapshot>> tags = tags_.Current();
  // CORS (TAG.md section 2): for an origin some active tag allows, on every answer, errors
  // included, so the script can read them. Never credentials; no cookie is ever set.
  std::optional<std::string> allow_origin;
  if (tags.ok()) {
    call.tags = std::move(tags).value();
    if (call.origin && call.tags->CanonicalAllowedForSomeTag(*call.origin)) {
      allow_origin = req.origin ? std::string(*req.origin) : *call.origin;
    }
  }
  auto answer = [&allow_origin, pixel = spec.gif](Prepared prepared) {
    return Decorate(std::move(prepared), [allow_origin, pixel](ApiResponse& res) {
      if (allow_origin) {
        res.AddHeader("Access-Control-Allow-Origin", *allow_origin);
        res.AddHeader("Vary", "Origin");
      }
      if (pixel) AsPixel(res);
    });
  };
  if (req.method == Method::kOptions) return answer(Preflight());
  if (!call.tags) {  // never read: the store is down and the tags never were
    return answer(MakeErrorResponse({ApiErrorKind::kUnavailable}, req.request_id));
  }
  const RateLimit per_ip = WithDefaultBurst(config_.tag_rate_limit);
  if (per_ip.enabled()) {
    const RateDecision d = tag_rate_limiter_.Acquire(ClientIp(req), per_ip, clock_.NowMicros());
    if (!d.allowed) {
      metrics_.rate_limited.fetch_add(1, std::memory_order_relaxed);
      metrics_.CountTagRefused(Metrics::TagRefusal::kRateLimited);
      ApiError error(ApiErrorKind::kRateLimited);
      error.retry_after_seconds = static_cast<int>(std::max<int64_t>(1, d.retry_after_seconds));
      return answer(MakeErrorResponse(error, req.request_id));
    }
  }
  if (!spec.AcceptsContentType(req.content_type)) {
    return answer(MakeErrorResponse({ApiErrorKind::kUnsupportedMediaType}, req.request_id));
  }
  return answer((this->*spec.handler)(call));
}

Prepared ApiService::HandleTagCollect(const ApiCall& call) {
  const ApiRequest& req = call.req;
  TagCall tag_call;
  tag_call.origin = call.origin;
  if (req.origin) tag_call.origin_header = std::string(*req.origin);
  if (req.referer) tag_call.referer = std::string(*req.referer);
  tag_call.client_ip = ClientIp(req);
  tag_call.received_at = clock_.NowMicros();
  ParsedTagEvents parsed = ParseTagCollect(req.body, tag_call, FinderOf(call));
  return WriteTagEvents(std::move(parsed), req, /*pixel=*/false);
}

Prepared ApiService::HandlePixel(const ApiCall& call) {
  const ApiRequest& req = call.req;
  Parsed<JsonBody> query = ParsePixelQuery(req.target.query);
  if (!query.ok()) {
    return MakeErrorResponse({ApiErrorKind::kValidation, std::move(query.errors)}, req.request_id);
  }
  TagCall tag_call;
  tag_call.origin = call.origin;
  if (req.origin) tag_call.origin_header = std::string(*req.origin);
  if (req.referer) tag_call.referer = std::string(*req.referer);
  tag_call.client_ip = ClientIp(req);
  tag_call.received_at = clock_.NowMicros();
  ParsedTagEvents parsed =
      ParseTagEvent(query.record.object, query.record.raw_numbers, tag_call, FinderOf(call));
  return WriteTagEvents(std::move(parsed), req, /*pixel=*/true);
}

Prepared ApiService::WriteTagEvents(ParsedTagEvents parsed, const ApiRequest& req, bool pixel) {
  metrics_.CountSanitized(parsed.sanitize);
  if (parsed.refusal != TagRefusal::kNone) {
    return Refused(metrics_, parsed.refusal, req.request_id);
  }
  std::string partner_id = parsed.partner_id;
  if (!parsed.errors.empty()) {
    return WithPartner(
        MakeErrorResponse({ApiErrorKind::kValidation, std::move(parsed.errors)}, req.request_id),
        std::move(partner_id));
  }
  auto success = [pixel] {
    if (!pixel) return NoContent();
    ApiResponse res;
    res.status = 200;
    return res;  // the GIF body is put in by HandleTag
  };
  if (req.method == Method::kHead) return WithPartner(success(), std::move(partner_id));
  for (EventRecord& e : parsed.events) {
    Enrich(e.client_ip, e.user_agent, req.user_agent, e.enrichment);
  }
  auto op = std::make_unique<WriteOp>();
  EventWrite write;
  write.events = std::move(parsed.events);
  op->payload = std::move(write);
  return WithPartner(
      PendingWrite{std::move(op),
                   [this, request_id = req.request_id, success](const WriteOp& done) {
                     if (!done.status.ok()) {
                       return MakeErrorResponse({ErrorKindOf(done.status)}, request_id);
                     }
                     const auto& w = std::get<EventWrite>(done.payload);
                     const auto duplicates = static_cast<uint64_t>(std::count(
                         w.outcomes.begin(), w.outcomes.end(), WriteOutcome::kDuplicate));
                     metrics_.collect_duplicates.fetch_add(duplicates, std::memory_order_relaxed);
                     return success();
                   }},
      std::move(partner_id));
}

Prepared ApiService::HandleTagConversion(const ApiCall& call) {
  const ApiRequest& req = call.req;
  TagCall tag_call;
  tag_call.origin = call.origin;
  tag_call.client_ip = ClientIp(req);
  tag_call.received_at = clock_.NowMicros();
  // 1. tag and origin (404/403), 2. fields (422): the pure handler, in that order.
  ParsedTagConversion parsed = ParseTagConversion(req.body, tag_call, FinderOf(call));
  metrics_.CountSanitized(parsed.sanitize);
  if (parsed.refusal != TagRefusal::kNone) {
    return Refused(metrics_, parsed.refusal, req.request_id);
  }
  ConversionRecord& c = parsed.record;
  std::string partner_id = c.partner_id;
  if (!parsed.errors.empty()) {
    return MakeErrorResponse({ApiErrorKind::kValidation, std::move(parsed.errors)}, req.request_id);
  }
  // 3. The signature, before anything is looked up in the store: a forged or expired click
  // never reaches it (TAG.md section 5).
  switch (CheckLanding(c.click_id, *c.landing_exp, *c.landing_sig)) {
    case LandingCheck::kValid:
      break;
    case LandingCheck::kNoKeys:
      return MakeErrorResponse({ApiErrorKind::kUnavailable}, req.request_id);
    case LandingCheck::kInvalidSignature:
      metrics_.CountTagRefused(Metrics::TagRefusal::kInvalidSignature);
      return WithPartner(MakeErrorResponse({ApiErrorKind::kInvalidClickSignature}, req.request_id),
                         std::move(partner_id));
    case LandingCheck::kExpired:
      metrics_.CountTagRefused(Metrics::TagRefusal::kClickExpired);
      return WithPartner(MakeErrorResponse({ApiErrorKind::kClickExpired}, req.request_id),
                         std::move(partner_id));
  }
  // 4. The click (404, 400) and the identity are decided in the write transaction, as for an
  // S2S conversion.
  Enrich(c.client_ip, c.user_agent, req.user_agent, c.enrichment);
  auto op = std::make_unique<WriteOp>();
  op->payload = ConversionWrite{std::move(parsed.record)};
  return WithPartner(PendingWrite{std::move(op),
                                  [this, request_id = req.request_id](const WriteOp& done) {
                                    return ConversionAnswer(done, request_id, false);
                                  }},
                     std::move(partner_id));
}

}  // namespace thrad
