// GET /dashboard/ and /dashboard/<file> (REPORTS.md §6): the dashboard's page, scripts and
// styles (web/dashboard/) and Chart.js (libjs-chart.js), embedded in the binary. Every answer,
// errors included, carries a Content-Security-Policy that allows only this origin: the page
// has no inline script or style, and loads nothing from anywhere else.
#include <string>

#include "http/api_service.h"
#include "http/error_mapper.h"
#include "http/web_assets.h"

namespace thrad {
namespace {

constexpr std::string_view kIndexPath = "/dashboard/";
constexpr std::string_view kIndexFile = "index.html";
// Revalidated on every load (a cheap 304 by ETag): a new binary's dashboard shows at once.
constexpr std::string_view kDashboardCacheControl = "no-cache";

void AddDashboardHeaders(ApiResponse& res) {
  res.AddHeader("Content-Security-Policy",
                "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  res.AddHeader("X-Content-Type-Options", "nosniff");
  res.AddHeader("Referrer-Policy", "no-referrer");
  res.AddHeader("X-Frame-Options", "DENY");
}

}  // namespace

Prepared ApiService::HandleDashboard(const ApiCall& call) {
  if (call.req.target.path != kIndexPath && call.route.param.empty()) {
    // "/dashboard": the page's relative asset URLs need the trailing slash.
    ApiResponse res;
    res.status = 301;
    res.AddHeader("Location", std::string(kIndexPath));
    AddDashboardHeaders(res);
    return res;
  }
  const std::string name =
      "dashboard/" + std::string(call.route.param.empty() ? kIndexFile : call.route.param);
  const WebAsset* asset = FindWebAsset(name);
  if (asset == nullptr) {
    ApiResponse res = MakeErrorResponse({ApiErrorKind::kNotFound}, call.req.request_id);
    AddDashboardHeaders(res);
    return res;
  }
  ApiResponse res = AssetResponse(*asset, kDashboardCacheControl, call.req.if_none_match);
  AddDashboardHeaders(res);
  return res;
}

}  // namespace thrad
