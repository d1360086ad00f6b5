// GET /tag.js and GET /ptag.js (TAG.md §6) and GET /openapi.json (REPORTS.md §7): files of web/,
// embedded in the binary, served with a strong ETag, 304 on a matching If-None-Match, and an
// hour of public caching.
#include "http/api_service.h"
#include "http/web_assets.h"

namespace thrad {
namespace {

// Browsers and CDNs may keep a script an hour: a new version reaches every page within that.
constexpr std::string_view kAssetCacheControl = "public, max-age=3600";

}  // namespace

Prepared ApiService::HandleWebAsset(const ApiCall& call) {
  // The route's canonical path names its file: "/tag.js" serves web/tag.js, "/openapi.json"
  // web/openapi.json (application/json, by its extension).
  std::string_view name = call.route.spec->paths.front();
  name.remove_prefix(1);
  const WebAsset* asset = FindWebAsset(name);
  if (asset == nullptr) return MakeErrorResponse({ApiErrorKind::kNotFound}, call.req.request_id);
  ApiResponse res = AssetResponse(*asset, kAssetCacheControl, call.req.if_none_match);
  // Public files: any page may load them (scripts also with <script crossorigin> or integrity;
  // the OpenAPI document from an API browser on another origin).
  res.AddHeader("Access-Control-Allow-Origin", "*");
  res.AddHeader("Cross-Origin-Resource-Policy", "cross-origin");
  res.AddHeader("X-Content-Type-Options", "nosniff");
  return res;
}

}  // namespace thrad
