#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/field_error.h"
#include "store/group_commit_writer.h"

namespace thrad {

// Process-wide counters for /metrics (Prometheus text format). Every label value comes
// from a fixed set, so the number of series is bounded whatever clients send.
// Thread-safe: relaxed atomics only.
class Metrics {
 public:
  static constexpr std::array<unsigned, 19> kStatuses = {
      200, 204, 302, 400, 401, 403, 404, 405, 408, 410, 413, 415, 422, 429, 431, 500, 503, 100, 0};
  // Upper bounds, in seconds, of the request and commit latency histograms.
  static constexpr std::array<double, 14> kLatencyBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  static constexpr std::array<double, 12> kBatchBuckets = {1,  2,   4,   8,   16,   32,
                                                           64, 128, 256, 512, 1024, 4096};

  // One series per route of the route table (by RouteIndex), plus "unknown" for every path
  // that matched none.
  Metrics();

  void ObserveRequest(size_t route, unsigned status, std::chrono::nanoseconds latency);
  void ObserveCommit(size_t batch_ops, std::chrono::nanoseconds latency, bool ok);

  enum class AuthFailure { kMissingToken, kInvalidKey, kForbiddenScope };
  void CountAuthFailure(AuthFailure reason);
  // What sanitizing params.extra dropped, cut or cleaned in one request (spec section 5).
  void CountSanitized(const SanitizeStats& stats);

  // Clicks (CLICKS.md section 7): stored, by road and filter reason; click redirects refused
  // (400/403/410/503), and those answered with the bare landing URL without recording.
  enum class ClickSource { kRedirect, kApi };
  enum class ClickFilter { kNone, kPrefetch, kBot };
  void CountClicksStored(ClickSource source, ClickFilter filter, uint64_t n = 1);
  enum class RedirectRefusal { kInvalidUrl, kInvalidSignature, kExpired, kNoSigningKey };
  void CountRedirectRefused(RedirectRefusal reason);
  enum class RedirectUnrecorded { kStoreUnavailable, kRateLimited };
  void CountRedirectUnrecorded(RedirectUnrecorded reason);
  // Browser tag requests (TAG.md) refused before anything was stored or looked up in the store,
  // by reason: 404 tag, 403 origin, 429, and a browser conversion's 403 signature or expiry.
  enum class TagRefusal {
    kTagNotFound,
    kOriginNotAllowed,
    kRateLimited,
    kInvalidSignature,
    kClickExpired
  };
  void CountTagRefused(TagRefusal reason);

  std::atomic<uint64_t> collect_duplicates{0};
  std::atomic<uint64_t> conversion_duplicates{0};
  std::atomic<uint64_t> idempotency_mismatches{0};
  std::atomic<uint64_t> extra_dropped_keys{0};
  std::atomic<uint64_t> extra_dropped_values{0};
  std::atomic<uint64_t> extra_truncated_strings{0};
  std::atomic<uint64_t> extra_cleaned_strings{0};
  std::atomic<uint64_t> rate_limited{0};
  std::atomic<int64_t> open_connections{0};
  std::atomic<uint64_t> refused_connections{0};  // over --max-connections, answered 503
  std::atomic<uint64_t> queue_capacity{0};       // the writer's max_queue, for alerts on depth
  // SIGHUP reloads of the --geoip-db file that took the new file, and those that kept the old
  // one (a bad file).
  std::atomic<uint64_t> geoip_reloads_ok{0};
  std::atomic<uint64_t> geoip_reloads_failed{0};
  // Distinct user agents parsed (a miss of the classifier's cache) and cache hits; set before
  // serving; empty without --ua-regexes.
  std::function<uint64_t()> ua_parses;
  std::function<uint64_t()> ua_cache_hits;
  // Access-log lines dropped because the log queue was full. Set before serving; may be empty.
  std::function<uint64_t()> log_dropped;

  // The whole exposition, with the writer's live counters.
  std::string Render(const WriterStats& writer, bool store_healthy) const;

 private:
  template <size_t N>
  struct Histogram {
    std::array<std::atomic<uint64_t>, N + 1> buckets{};  // last: +Inf
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_ns{0};  // for latency; raw value sum for sizes
  };

  struct RouteSeries {
    std::array<std::atomic<uint64_t>, kStatuses.size()> requests{};
    Histogram<kLatencyBuckets.size()> latency;
  };
  const size_t routes_;                      // RouteIndex values: 0 .. routes_ - 1
  std::unique_ptr<RouteSeries[]> by_route_;  // routes_ entries
  Histogram<kLatencyBuckets.size()> commit_latency_{};
  Histogram<kBatchBuckets.size()> commit_batch_{};
  std::array<std::atomic<uint64_t>, 3> auth_failures_{};
  std::array<std::array<std::atomic<uint64_t>, 3>, 2> clicks_stored_{};  // [source][filter]
  std::array<std::atomic<uint64_t>, 4> redirects_refused_{};
  std::array<std::atomic<uint64_t>, 2> redirects_unrecorded_{};
  std::array<std::atomic<uint64_t>, 5> tag_refused_{};
};

}  // namespace thrad
