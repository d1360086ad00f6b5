#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "api/tag_collect_handler.h"
#include "auth/key_cache.h"
#include "auth/signing_key_ring.h"
#include "auth/tag_ring.h"
#include "common/clock.h"
#include "http/api_request.h"
#include "http/api_response.h"
#include "http/error_mapper.h"
#include "http/metrics.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "model/enrichment.h"
#include "store/click_store.h"
#include "store/group_commit_writer.h"
#include "store/report_store.h"
#include "store/store_health.h"

namespace thrad {

class AccessLog;
class Enricher;
class RefusalAggregator;

struct ServiceConfig {
  bool trust_proxy = false;  // use the first X-Forwarded-For hop as the client IP
  // Server-wide token bucket per API key (keys may override it); rps 0: no limit.
  RateLimit rate_limit;
  AccessLog* access_log = nullptr;  // not owned; null: no access log
  // How long a click's landing parameters stay valid (thrad_exp = click time + this): the
  // documented landing script keeps them in cookies for 90 days.
  std::chrono::seconds click_ttl{90 * 24 * 3600};
  // Per-client-IP token bucket of the click redirect (rps 0: off): past it the visitor still
  // lands, but nothing is stored (guards the store against one URL replayed in a loop).
  RateLimit click_rate_limit;
  // Per-client-IP token bucket of the browser tag routes (/v1/t/, TAG.md section 2; rps 0:
  // off): past it 429 with Retry-After. Bounds what one browser or script can make the store
  // write without a key.
  RateLimit tag_rate_limit;
  // What /readyz and thrad_store_healthy read (not owned). Null: the writer's and the key
  // cache's own health.
  const StoreHealth* store_health = nullptr;
  // Geo and device for every stored row, and the stored form of the client IP (not owned).
  // Null: no enrichment, the IP stored as seen.
  const Enricher* enricher = nullptr;
  // Where refusals of authenticated requests are noted for diagnostics (REPORTS.md section 5;
  // not owned). Null: not noted.
  RefusalAggregator* refusals = nullptr;
};

// What the service reads and writes through. Not owned; each outlives the service.
struct ServiceDeps {
  KeyCache& keys;
  SigningKeyRing& signing_keys;
  TagRing& tags;         // the browser tags (TAG.md): the /v1/t/ routes' credential
  ClickStore& clicks;    // look-ups (GET /v1/api/clicks/{click_id}); writes go through `writer`
  ReportStore& reports;  // rollups and raw conversions (GET /v1/api/reports/..., /conversions)
  GroupCommitWriter& writer;
  Metrics& metrics;
  const Clock& clock;
};

// Request handling between the wire and the pure handlers: every route's common steps,
// driven by its RouteSpec (authentication, rate limit, content type), then the route's
// handler, and the mapping of store outcomes to answers. No sockets here.
// Thread-safety: all methods may be called from any I/O thread concurrently.
class ApiService {
 public:
  ApiService(ServiceDeps deps, ServiceConfig config);

  // Checks that need only the request line and headers, in the spec's order: route (404),
  // method (405), announced size (413). nullopt: go on and read the body.
  std::optional<ApiError> CheckHead(const std::optional<RouteMatch>& route, Method method,
                                    std::optional<uint64_t> content_length,
                                    uint64_t body_limit) const;

  // Everything after the body arrived: the route's scope (401/403), rate limit (429) and
  // content type (415), then its handler: an answer now or a write to commit.
  Prepared Handle(const RouteMatch& route, const ApiRequest& req);

  // Notes a refused (4xx) answer of a request authenticated as `key` for diagnostics, once the
  // answer was written: into ServiceConfig::refusals, no store I/O (diagnostics_handlers.cc).
  void NoteRefusal(const RouteSpec& route, unsigned status, const KeyRecord& key,
                   std::string_view body, const std::string& request_id);

  GroupCommitWriter& writer() { return writer_; }
  Metrics& metrics() { return metrics_; }
  AccessLog* access_log() const { return config_.access_log; }

  // Route handlers, called only through the route table (route_table.cc).
  Prepared HandleCollect(const ApiCall& call);            // write_handlers.cc
  Prepared HandleCollectBatch(const ApiCall& call);       // write_handlers.cc
  Prepared HandleConversion(const ApiCall& call);         // write_handlers.cc
  Prepared HandleClickRedirect(const ApiCall& call);      // click_handlers.cc
  Prepared HandleClickRegistration(const ApiCall& call);  // click_handlers.cc
  Prepared HandleClickLookup(const ApiCall& call);        // click_handlers.cc
  Prepared HandleTagCollect(const ApiCall& call);         // tag_handlers.cc
  Prepared HandlePixel(const ApiCall& call);              // tag_handlers.cc
  Prepared HandleTagConversion(const ApiCall& call);      // tag_handlers.cc
  Prepared HandleWebAsset(const ApiCall& call);           // asset_handlers.cc
  Prepared HandleDashboard(const ApiCall& call);          // dashboard_handlers.cc
  Prepared HandleReport(const ApiCall& call);             // report_handlers.cc
  Prepared HandleConversionList(const ApiCall& call);     // report_handlers.cc
  Prepared HandleDiagnostics(const ApiCall& call);        // diagnostics_handlers.cc
  Prepared HandleMe(const ApiCall& call);                 // report_handlers.cc
  Prepared HandleHealthz(const ApiCall& call);
  Prepared HandleReadyz(const ApiCall& call);
  Prepared HandleMetrics(const ApiCall& call);

 private:
  // nullopt when authenticated with one of `scopes`; the error answer otherwise.
  std::optional<ApiError> Authenticate(const ApiRequest& req, uint32_t scopes,
                                       std::shared_ptr<const KeyRecord>& key);
  std::string ClientIp(const ApiRequest& req) const;
  // Fills `out` from the client's address and user agent (the record's own field, else the
  // User-Agent header), then replaces `client_ip` by its stored form (--ip-anonymize).
  void Enrich(std::string& client_ip, const std::optional<std::string>& user_agent,
              std::optional<std::string_view> header_user_agent, Enrichment& out) const;
  // A conversion's signed landing parameters (thrad_sig, thrad_exp), when sent: nullopt when
  // they verify and are not expired, else the 422 (or 503 without readable keys).
  std::optional<ApiError> VerifyLandingParams(const ConversionRecord& c);
  // The landing signature check shared by both conversion routes (CLICKS.md section 5, TAG.md
  // section 5), before any store look-up.
  enum class LandingCheck { kValid, kInvalidSignature, kExpired, kNoKeys };
  LandingCheck CheckLanding(std::string_view click_id, int64_t exp, std::string_view sig);
  // The answer to a committed conversion op (both conversion routes).
  ApiResponse ConversionAnswer(const WriteOp& done, const std::string& request_id,
                               bool validate_only);
  // The steps every browser tag route shares (RouteSpec::tag, tag_handlers.cc): the tags and
  // the origin, CORS headers, the preflight, the per-IP rate limit and the content type, then
  // the route's handler.
  Prepared HandleTag(const RouteMatch& route, const ApiRequest& req);
  // The events of a browser collect or pixel request: the refusal or 422, else one write;
  // answered 204 (collect) or 200 (the pixel, HEAD storing nothing) once committed.
  Prepared WriteTagEvents(ParsedTagEvents parsed, const ApiRequest& req, bool pixel);
  // Whether the store works as far as its users last saw (ServiceConfig::store_health).
  bool StoreHealthy() const;
  // The 429 answer when `key` is over its rate limit; nullopt otherwise.
  std::optional<ApiResponse> CheckRateLimit(const KeyRecord& key, const std::string& request_id);

  // The signing keys now; nullptr when they cannot be read (the store is down and they never
  // were).
  std::shared_ptr<const SigningKeyRing::Snapshot> SigningKeys();

  KeyCache& keys_;
  SigningKeyRing& signing_keys_;
  TagRing& tags_;
  ClickStore& clicks_;
  ReportStore& reports_;
  GroupCommitWriter& writer_;
  Metrics& metrics_;
  const Clock& clock_;
  const ServiceConfig config_;
  RateLimiter rate_limiter_;
  RateLimiter click_rate_limiter_;  // by client IP
  RateLimiter tag_rate_limiter_;    // by client IP
};

}  // namespace thrad
