#include "http/route_table.h"

#include <array>

#include "http/api_service.h"

namespace thrad {
namespace {

// Paths: the canonical one first, then the aliases of the API spec's section 1.
constexpr std::string_view kCollectPaths[] = {"/v1/api/collect", "/api/collect"};
constexpr std::string_view kCollectBatchPaths[] = {"/v1/api/collect/batch", "/api/collect/batch"};
constexpr std::string_view kConversionPaths[] = {"/v1/api/conversion", "/api/conversion",
                                                 "/v1/conversion"};
constexpr std::string_view kHealthzPaths[] = {"/healthz"};
constexpr std::string_view kReadyzPaths[] = {"/readyz"};
constexpr std::string_view kMetricsPaths[] = {"/metrics"};
constexpr std::string_view kClickPaths[] = {"/v1/click"};
constexpr std::string_view kClicksPaths[] = {"/v1/api/clicks"};
constexpr std::string_view kClickLookupPaths[] = {"/v1/api/clicks/{click_id}"};
// The browser scripts (TAG.md §6): each path names its file of web/.
constexpr std::string_view kTagJsPaths[] = {"/tag.js"};
constexpr std::string_view kPtagJsPaths[] = {"/ptag.js"};

// The one table. Order is the order of /metrics series.
constexpr std::array kRoutes = {
    RouteSpec{.name = "collect",
              .paths = kCollectPaths,
              .methods = Methods(Method::kPost),
              .scopes = Scopes(Scope::kCollect),
              .accepts = MediaType::kJson,
              .handler = &ApiService::HandleCollect},
    RouteSpec{.name = "collect_batch",
              .paths = kCollectBatchPaths,
              .methods = Methods(Method::kPost),
              .scopes = Scopes(Scope::kCollect),
              .body_limit = BodyLimitClass::kBatch,
              .accepts = MediaType::kJson,
              .handler = &ApiService::HandleCollectBatch},
    RouteSpec{.name = "conversion",
              .paths = kConversionPaths,
              .methods = Methods(Method::kPost),
              .scopes = Scopes(Scope::kConversion),
              .accepts = MediaType::kJson,
              .handler = &ApiService::HandleConversion},
    RouteSpec{.name = "healthz",
              .paths = kHealthzPaths,
              .methods = Methods(Method::kGet),
              .handler = &ApiService::HandleHealthz},
    RouteSpec{.name = "readyz",
              .paths = kReadyzPaths,
              .methods = Methods(Method::kGet),
              .handler = &ApiService::HandleReadyz},
    RouteSpec{.name = "metrics",
              .paths = kMetricsPaths,
              .methods = Methods(Method::kGet),
              .handler = &ApiService::HandleMetrics},
    // CLICKS.md: the signed click redirect (the signature is the credential), click
    // registration by ad servers, and a partner's look-up of its own click.
    RouteSpec{.name = "click",
              .paths = kClickPaths,
              .methods = Methods(Method::kGet),
              .handler = &ApiService::HandleClickRedirect},
    RouteSpec{.name = "clicks",
              .paths = kClicksPaths,
              .methods = Methods(Method::kPost),
              .scopes = Scopes(Scope::kClicks),
              .body_limit = BodyLimitClass::kBatch,
              .accepts = MediaType::kJson,
              .handler = &ApiService::HandleClickRegistration},
    RouteSpec{.name = "click_lookup",
              .paths = kClickLookupPaths,
              .methods = Methods(Method::kGet),
              .scopes = Scopes(Scope::kConversion),
              .handler = &ApiService::HandleClickLookup},
    // TAG.md §6: the browser scripts, embedded in the binary (web/), no key.
    RouteSpec{.name = "tag_js",
              .paths = kTagJsPaths,
              .methods = Methods(Method::kGet),
              .handler = &ApiService::HandleWebAsset},
    RouteSpec{.name = "ptag_js",
              .paths = kPtagJsPaths,
              .methods = Methods(Method::kGet),
              .handler = &ApiService::HandleWebAsset},
};

}  // namespace

bool RouteSpec::Allows(Method m) const {
  const auto bit = static_cast<MethodSet>(m);
  if ((methods & bit) != 0) return true;
  return m == Method::kHead && (methods & Methods(Method::kGet)) != 0;
}

std::string RouteSpec::AllowHeader() const {
  std::string allow;
  auto add = [&allow](const char* name) {
    if (!allow.empty()) allow += ", ";
    allow += name;
  };
  if (methods & Methods(Method::kGet)) add("GET");
  if (methods & Methods(Method::kGet)) add("HEAD");
  if (methods & Methods(Method::kPost)) add("POST");
  return allow;
}

std::span<const RouteSpec> Routes() { return kRoutes; }

}  // namespace thrad
