#include "http/router.h"

#include <array>

namespace thrad {
namespace {

struct Entry {
  std::string_view path;
  RouteInfo info;
};

constexpr RouteInfo kCollect{Route::kCollect, Method::kPost, "POST", "collect"};
constexpr RouteInfo kConversion{Route::kConversion, Method::kPost, "POST", "conversion"};
constexpr RouteInfo kCollectBatch{Route::kCollectBatch, Method::kPost, "POST", "collect_batch"};

constexpr std::array kRoutes = {
    Entry{"/v1/api/collect", kCollect},
    Entry{"/api/collect", kCollect},
    Entry{"/v1/api/collect/batch", kCollectBatch},
    Entry{"/api/collect/batch", kCollectBatch},
    Entry{"/v1/api/conversion", kConversion},
    Entry{"/api/conversion", kConversion},
    Entry{"/v1/conversion", kConversion},
    Entry{"/healthz", {Route::kHealthz, Method::kGet, "GET, HEAD", "healthz"}},
    Entry{"/readyz", {Route::kReadyz, Method::kGet, "GET, HEAD", "readyz"}},
    Entry{"/metrics", {Route::kMetrics, Method::kGet, "GET, HEAD", "metrics"}},
};

}  // namespace

std::optional<RouteInfo> ResolveRoute(std::string_view path) {
  for (const Entry& e : kRoutes) {
    if (e.path == path) return e.info;
  }
  return std::nullopt;
}

Target ParseTarget(std::string_view target) {
  Target t;
  const size_t q = target.find('?');
  t.path = target.substr(0, q);
  if (q == std::string_view::npos) return t;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair == "validate_only=true" || pair == "validate_only=1") t.validate_only = true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return t;
}

}  // namespace thrad
