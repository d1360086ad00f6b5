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
constexpr std::string_view kTagCollectPaths[] = {"/v1/t/collect"};
constexpr std::string_view kPixelPaths[] = {"/v1/t/p.gif"};
constexpr std::string_view kTagConversionPaths[] = {"/v1/t/conversion"};
// The browser scripts (TAG.md §6): each path names its file of web/.
constexpr std::string_view kTagJsPaths[] = {"/tag.js"};
constexpr std::string_view kPtagJsPaths[] = {"/ptag.js"};
constexpr std::string_view kReportPaths[] = {"/v1/api/reports/{kind}"};
constexpr std::string_view kConversionListPaths[] = {"/v1/api/conversions"};
constexpr std::string_view kDiagnosticsPaths[] = {"/v1/api/diagnostics"};
// REPORTS.md §7: the OpenAPI document of the partner-facing routes (web/openapi.json).
constexpr std::string_view kOpenApiPaths[] = {"/openapi.json"};
constexpr std::string_view kMePaths[] = {"/v1/api/me"};
// REPORTS.md §6: the dashboard's page, its files (web/dashboard/, Chart.js), and the path
// without its slash (a redirect to the page).
constexpr std::string_view kDashboardPaths[] = {"/dashboard/", "/dashboard/{file}", "/dashboard"};

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
              .scopes = Scopes(Scope::kConversion) | Scopes(Scope::kReports),
              .handler = &ApiService::HandleClickLookup},
    // TAG.md: the browser endpoints of tag.js and ptag. The tag and its origins are the
    // credential (no key); every answer carries CORS headers for an allowed origin.
    RouteSpec{.name = "tag_collect",
              .paths = kTagCollectPaths,
              .methods = Method::kPost | Method::kOptions,
              .accepts = MediaType::kJsonOrText,
              .handler = &ApiService::HandleTagCollect,
              .tag = true},
    RouteSpec{.name = "tag_pixel",
              .paths = kPixelPaths,
              .methods = Method::kGet | Method::kOptions,
              .handler = &ApiService::HandlePixel,
              .tag = true,
              .gif = true},
    RouteSpec{.name = "tag_conversion",
              .paths = kTagConversionPaths,
              .methods = Method::kPost | Method::kOptions,
              .accepts = MediaType::kJsonOrText,
              .handler = &ApiService::HandleTagConversion,
              .tag = true},
    // TAG.md §6: the browser scripts, embedded in the binary (web/), no key.
    RouteSpec{.name = "tag_js",
              .paths = kTagJsPaths,
              .methods = Methods(Method::kGet),
              .handler = &ApiService::HandleWebAsset},
    RouteSpec{.name = "ptag_js",
              .paths = kPtagJsPaths,
              .methods = Methods(Method::kGet),
              .handler = &ApiService::HandleWebAsset},
    // REPORTS.md: reports from the rollups, and raw conversions page by page.
    RouteSpec{.name = "report",
              .paths = kReportPaths,
              .methods = Methods(Method::kGet),
              .scopes = Scopes(Scope::kReports) | Scopes(Scope::kAdmin),
              .handler = &ApiService::HandleReport},
    RouteSpec{.name = "conversion_list",
              .paths = kConversionListPaths,
              .methods = Methods(Method::kGet),
              .scopes = Scopes(Scope::kReports) | Scopes(Scope::kAdmin),
              .handler = &ApiService::HandleConversionList},
    // REPORTS.md section 5: why a partner's requests were refused.
    RouteSpec{.name = "diagnostics",
              .paths = kDiagnosticsPaths,
              .methods = Methods(Method::kGet),
              .scopes = Scopes(Scope::kReports) | Scopes(Scope::kAdmin),
              .handler = &ApiService::HandleDiagnostics},
    // REPORTS.md §7: the OpenAPI 3.1 document, embedded like the scripts (web/openapi.json).
    // Every partner-facing route needs its entry there: tests/unit/http/openapi_test.cc.
    RouteSpec{.name = "openapi",
              .paths = kOpenApiPaths,
              .methods = Methods(Method::kGet),
              .handler = &ApiService::HandleWebAsset},
    // The calling key's partner and scopes: how the dashboard tells admin from reports keys.
    RouteSpec{.name = "me",
              .paths = kMePaths,
              .methods = Methods(Method::kGet),
              .scopes = Scopes(Scope::kReports) | Scopes(Scope::kAdmin),
              .handler = &ApiService::HandleMe},
    // REPORTS.md §6: the dashboard, embedded in the binary (web/dashboard/), no key: the page
    // asks for one and sends it to the report routes.
    RouteSpec{.name = "dashboard",
              .paths = kDashboardPaths,
              .methods = Methods(Method::kGet),
              .handler = &ApiService::HandleDashboard},
};

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool RouteSpec::AcceptsContentType(std::optional<std::string_view> content_type) const {
  if (accepts == MediaType::kNone || !content_type) return true;
  const std::string_view media = TrimSpaces(content_type->substr(0, content_type->find(';')));
  if (EqualsIgnoreCase(media, "application/json")) return true;
  return accepts == MediaType::kJsonOrText && EqualsIgnoreCase(media, "text/plain");
}

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
  if (methods & Methods(Method::kOptions)) add("OPTIONS");
  return allow;
}

std::span<const RouteSpec> Routes() { return kRoutes; }

}  // namespace thrad
