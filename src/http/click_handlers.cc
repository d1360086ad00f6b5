// The click routes (CLICKS.md): the signed click redirect, click registration and look-up. Pure
// checks live in api/click_url.h and api/click_filter.h, signatures in auth/signing.h; here they
// meet the signing keys, the rate limit and the group commit.
#include <boost/url/pct_string_view.hpp>
#include <utility>

#include "api/click_batch_handler.h"
#include "api/click_filter.h"
#include "api/click_url.h"
#include "auth/signing.h"
#include "common/random.h"
#include "common/time_format.h"
#include "http/api_service.h"
#include "http/json_response.h"

namespace thrad {
namespace {

// The 302 of the click redirect: to `location`, never cached (every follow is a click).
ApiResponse Found(std::string location) {
  ApiResponse res;
  res.status = 302;
  res.AddHeader("Location", std::move(location));
  res.AddHeader("Cache-Control", "no-store");
  return res;
}

// An error answer of the click redirect, never cached either.
ApiResponse RedirectError(ApiErrorKind kind, const std::string& request_id) {
  ApiResponse res = MakeErrorResponse(kind, request_id);
  res.AddHeader("Cache-Control", "no-store");
  return res;
}

Metrics::ClickFilter FilterOf(const std::optional<std::string>& reason) {
  if (!reason) return Metrics::ClickFilter::kNone;
  return *reason == "prefetch" ? Metrics::ClickFilter::kPrefetch : Metrics::ClickFilter::kBot;
}

std::optional<std::string> NonEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

std::optional<std::string> Copy(const std::optional<std::string_view>& v) {
  if (!v) return std::nullopt;
  return std::string(*v);
}

}  // namespace

Prepared ApiService::HandleClickRedirect(const ApiCall& call) {
  const ApiRequest& req = call.req;
  // 1. The URL's form (400), 2. its signature (403), 3. its expiry (410): the spec's order.
  std::optional<ClickUrl> url = ParseClickUrl(req.target.query);
  if (!url) {
    metrics_.CountRedirectRefused(Metrics::RedirectRefusal::kInvalidUrl);
    return RedirectError(ApiErrorKind::kInvalidClickUrl, req.request_id);
  }
  std::shared_ptr<const SigningKeyRing::Snapshot> keys = SigningKeys();
  if (keys == nullptr) {  // never read: an unverified URL is never followed
    return RedirectError(ApiErrorKind::kUnavailable, req.request_id);
  }
  const SigningKeyRecord* verifier = keys->Verifier(url->kid);
  const ClickUrlFields fields{url->partner, url->bid, url->campaign,
                              url->tag,     url->url, url->exp_text};
  if (verifier == nullptr ||
      !SignaturesEqual(ClickUrlSignature(verifier->secret, fields), url->sig)) {
    metrics_.CountRedirectRefused(Metrics::RedirectRefusal::kInvalidSignature);
    return RedirectError(ApiErrorKind::kInvalidClickSignature, req.request_id);
  }
  const UnixMicros now = clock_.NowMicros();
  if (url->exp < now / 1'000'000) {
    metrics_.CountRedirectRefused(Metrics::RedirectRefusal::kExpired);
    return RedirectError(ApiErrorKind::kClickUrlExpired, req.request_id);
  }
  if (req.method == Method::kHead) return Found(url->url);  // checked; nothing stored
  const SigningKeyRecord* signer = keys->Signer();
  if (signer == nullptr) {
    metrics_.CountRedirectRefused(Metrics::RedirectRefusal::kNoSigningKey);
    return RedirectError(ApiErrorKind::kUnavailable, req.request_id);
  }
  std::string client_ip = ClientIp(req);
  const RateLimit per_ip = WithDefaultBurst(config_.click_rate_limit);
  if (per_ip.enabled() && !click_rate_limiter_.Acquire(client_ip, per_ip, now).allowed) {
    metrics_.CountRedirectUnrecorded(Metrics::RedirectUnrecorded::kRateLimited);
    return Found(url->url);
  }

  ClickRecord click;
  click.click_id = RandomUuidV4();
  click.partner_id = url->partner;
  click.bid_id = url->bid;
  click.campaign_id = NonEmpty(url->campaign);
  click.tag_id = NonEmpty(url->tag);
  click.landing_url = url->url;
  click.user_agent = Copy(req.user_agent);
  Enrich(client_ip, std::nullopt, req.user_agent, click.enrichment);
  click.client_ip = std::move(client_ip);
  click.referrer = Copy(req.referer);
  click.created_at = now;
  click.exp = now / 1'000'000 + config_.click_ttl.count();
  click.source = "redirect";
  click.filter_reason =
      ClickFilterReason(req.sec_purpose, req.purpose, click.enrichment.is_bot.value_or(false));

  auto op = std::make_unique<WriteOp>();
  ClickWrite write;
  write.clicks.push_back(std::move(click));
  op->payload = std::move(write);
  return PendingWrite{
      std::move(op),
      [this, landing = std::move(url->url), kid = signer->kid,
       secret = signer->secret](const WriteOp& done) -> ApiResponse {
        const auto& w = std::get<ClickWrite>(done.payload);
        // Only a click that is stored hands out its id: otherwise the visitor still lands,
        // without landing parameters (a conversion could never find the click).
        if (!done.status.ok() || w.outcomes.empty() || w.outcomes[0] != WriteOutcome::kStored) {
          metrics_.CountRedirectUnrecorded(Metrics::RedirectUnrecorded::kStoreUnavailable);
          return Found(landing);
        }
        const ClickRecord& c = w.clicks[0];
        metrics_.CountClicksStored(Metrics::ClickSource::kRedirect, FilterOf(c.filter_reason));
        LandingParams params;
        params.click_id = c.click_id;
        params.exp = *c.exp;
        params.sig = LandingSignature(kid, secret, c.click_id, *c.exp);
        params.bid_id = *c.bid_id;
        return Found(AddLandingParams(landing, params));
      }};
}

ApiService::LandingCheck ApiService::CheckLanding(std::string_view click_id, int64_t exp,
                                                  std::string_view sig) {
  std::shared_ptr<const SigningKeyRing::Snapshot> keys = SigningKeys();
  if (keys == nullptr) return LandingCheck::kNoKeys;
  const std::optional<LandingSignatureParts> parts = SplitLandingSignature(sig);
  const SigningKeyRecord* verifier = parts ? keys->Verifier(parts->kid) : nullptr;
  if (verifier == nullptr ||
      !SignaturesEqual(LandingSignature(verifier->kid, verifier->secret, click_id, exp), sig)) {
    return LandingCheck::kInvalidSignature;
  }
  if (exp < clock_.NowMicros() / 1'000'000) return LandingCheck::kExpired;
  return LandingCheck::kValid;
}

std::optional<ApiError> ApiService::VerifyLandingParams(const ConversionRecord& c) {
  if (!c.landing_sig || !c.landing_exp) return std::nullopt;  // not sent (both or neither)
  switch (CheckLanding(c.click_id, *c.landing_exp, *c.landing_sig)) {
    case LandingCheck::kValid:
      return std::nullopt;
    case LandingCheck::kNoKeys:
      return ApiError{ApiErrorKind::kUnavailable};
    case LandingCheck::kInvalidSignature:
      return ApiError{
          ApiErrorKind::kValidation,
          {FieldError{BodyLoc("thrad_sig"), "Signature does not match the click id and thrad_exp",
                      "invalid_signature"}}};
    case LandingCheck::kExpired:
      break;
  }
  return ApiError{ApiErrorKind::kValidation,
                  {FieldError{BodyLoc("thrad_exp"), "The click's landing parameters expired",
                              "click_expired"}}};
}

Prepared ApiService::HandleClickRegistration(const ApiCall& call) {
  const ApiRequest& req = call.req;
  const int64_t ttl = config_.click_ttl.count();
  RequestContext ctx;
  ctx.partner_id = call.key->partner_id;  // the default partner_id of an item
  ctx.key_id = call.key->id;
  ctx.key_label = call.key->label;
  ctx.client_ip = ClientIp(req);
  ctx.received_at = clock_.NowMicros();
  ParsedClickBatch parsed = ParseClickBatch(req.body, ctx, ttl);
  if (!parsed.ok()) {
    return MakeErrorResponse({ApiErrorKind::kValidation, std::move(parsed.errors)}, req.request_id);
  }
  // Without an active key no landing parameters can be handed out: 503, as the real call
  // would answer (validate_only included).
  std::shared_ptr<const SigningKeyRing::Snapshot> keys = SigningKeys();
  const SigningKeyRecord* signer = keys ? keys->Signer() : nullptr;
  if (signer == nullptr) return MakeErrorResponse({ApiErrorKind::kUnavailable}, req.request_id);
  LandingSigner sign = [kid = signer->kid, secret = signer->secret](std::string_view click_id,
                                                                    int64_t exp) {
    return LandingSignature(kid, secret, click_id, exp);
  };
  const bool validate_only = call.validate_only;
  if (parsed.clicks.empty()) {  // every item invalid: nothing to commit
    return JsonResponse(
        200, ClickBatchResultJson(parsed.items, parsed.clicks, ttl, sign, validate_only));
  }
  // A registered click's address and agent are its visitor's, sent in the item (never the ad
  // server's own, which made the request).
  for (ClickRecord& c : parsed.clicks) {
    std::string ip = c.client_ip.value_or("");
    Enrich(ip, c.user_agent, std::nullopt, c.enrichment);
    if (c.client_ip) c.client_ip = std::move(ip);
  }
  auto op = std::make_unique<WriteOp>();
  op->dry_run = validate_only;
  ClickWrite write;
  write.clicks = std::move(parsed.clicks);
  op->payload = std::move(write);
  return PendingWrite{
      std::move(op),
      [this, request_id = req.request_id, validate_only, ttl, sign = std::move(sign),
       items = std::move(parsed.items)](const WriteOp& done) mutable -> ApiResponse {
        if (!done.status.ok()) return MakeErrorResponse({ErrorKindOf(done.status)}, request_id);
        const auto& w = std::get<ClickWrite>(done.payload);
        ApplyBatchOutcomes(items, w.outcomes);
        if (!validate_only) {
          for (size_t i = 0; i < w.clicks.size(); ++i) {
            if (i < w.outcomes.size() && w.outcomes[i] == WriteOutcome::kStored) {
              metrics_.CountClicksStored(Metrics::ClickSource::kApi,
                                         FilterOf(w.clicks[i].filter_reason));
            }
          }
        }
        return JsonResponse(200, ClickBatchResultJson(items, w.clicks, ttl, sign, validate_only));
      }};
}

Prepared ApiService::HandleClickLookup(const ApiCall& call) {
  const std::string& partner = call.key->partner_id;
  // The path segment, percent-decoded (a click id may hold characters a path must escape).
  auto segment = boost::urls::make_pct_string_view(call.route.param);
  if (!segment) return MakeErrorResponse({ApiErrorKind::kClickNotFound}, call.req.request_id);
  const std::string click_id = segment->decode();
  // The click is read on the server's read thread.
  return PendingRead{[this, partner, click_id, request_id = call.req.request_id] {
    Result<std::optional<ClickLookup>> found = clicks_.FindClick(partner, click_id);
    if (!found.ok()) return MakeErrorResponse({ErrorKindOf(found.status())}, request_id);
    if (!*found) return MakeErrorResponse({ApiErrorKind::kClickNotFound}, request_id);
    const ClickRecord& c = (*found)->click;
    auto opt = [](const std::optional<std::string>& v) {
      return v ? boost::json::value(*v) : boost::json::value(nullptr);
    };
    boost::json::object body;
    body["click_id"] = c.click_id;
    body["bid_id"] = opt(c.bid_id);
    body["campaign_id"] = opt(c.campaign_id);
    body["tag_id"] = opt(c.tag_id);
    body["clicked_at"] = FormatRfc3339(c.created_at);
    body["exp"] = c.exp ? boost::json::value(*c.exp) : boost::json::value(nullptr);
    body["source"] = c.source;
    body["filter_reason"] = opt(c.filter_reason);
    // The enrichment stored with the click (null when unset: older clicks, no geo database).
    const Enrichment& n = c.enrichment;
    auto opt_double = [](std::optional<double> v) {
      return v ? boost::json::value(*v) : boost::json::value(nullptr);
    };
    body["geo_country"] = opt(n.geo_country);
    body["geo_region"] = opt(n.geo_region);
    body["geo_city"] = opt(n.geo_city);
    body["geo_lat"] = opt_double(n.geo_lat);
    body["geo_lon"] = opt_double(n.geo_lon);
    body["ua_browser"] = opt(n.ua_browser);
    body["ua_browser_version"] = opt(n.ua_browser_version);
    body["ua_os"] = opt(n.ua_os);
    body["ua_device"] = opt(n.ua_device);
    body["is_bot"] = n.is_bot ? boost::json::value(*n.is_bot) : boost::json::value(nullptr);
    body["conversions"] = (*found)->conversions;
    return JsonResponse(200, body);
  }};
}

}  // namespace thrad
