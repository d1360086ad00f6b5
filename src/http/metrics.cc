#include "http/metrics.h"

#include <fmt/format.h>

#include <boost/version.hpp>
#include <chrono>
#include <cstring>

#include "common/process_stats.h"
#include "http/router.h"

namespace thrad {
namespace {

size_t StatusIndex(unsigned status) {
  for (size_t i = 0; i + 1 < Metrics::kStatuses.size(); ++i) {
    if (Metrics::kStatuses[i] == status) return i;
  }
  return Metrics::kStatuses.size() - 1;  // "other"
}

template <size_t N, typename H>
void Observe(H& h, const std::array<double, N>& bounds, double value, uint64_t sum_units) {
  size_t i = 0;
  while (i < N && value > bounds[i]) ++i;
  h.buckets[i].fetch_add(1, std::memory_order_relaxed);
  h.count.fetch_add(1, std::memory_order_relaxed);
  h.sum_ns.fetch_add(sum_units, std::memory_order_relaxed);
}

template <size_t N, typename H>
void RenderHistogram(std::string& out, const char* name, const std::string& labels,
                     const std::array<double, N>& bounds, const H& h, double sum_scale) {
  uint64_t cumulative = 0;
  const std::string sep = labels.empty() ? "" : ",";
  for (size_t i = 0; i < N; ++i) {
    cumulative += h.buckets[i].load(std::memory_order_relaxed);
    out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, bounds[i], cumulative);
  }
  cumulative += h.buckets[N].load(std::memory_order_relaxed);
  out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, cumulative);
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += fmt::format("{}_sum{} {}\n", name, braces,
                     static_cast<double>(h.sum_ns.load(std::memory_order_relaxed)) * sum_scale);
  out += fmt::format("{}_count{} {}\n", name, braces, cumulative);
}

// Fixed at build time, so the build_info label values are bounded.
#if defined(__clang__)
constexpr const char* kCompiler = "clang-" __clang_version__;
#elif defined(__GNUC__)
constexpr const char* kCompiler = "gcc-" __VERSION__;
#else
constexpr const char* kCompiler = "unknown";
#endif

// Taken when the binary loads (dynamic initialization), not at the first scrape.
const int64_t kProcessStartSeconds = std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();

void Header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

// The standard process_* families, named and typed as Prometheus client libraries export them
// (so stock dashboards and alerts work); a value that could not be read is left out.
void AppendProcessMetrics(std::string& out, const ProcessStats& p) {
  auto family = [&out](const char* name, const char* type, const char* help, auto value) {
    if (!value) return;
    Header(out, name, type, help);
    out += fmt::format("{} {}\n", name, *value);
  };
  family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
         p.cpu_seconds);
  family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
         p.resident_bytes);
  family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", p.virtual_bytes);
  family("process_open_fds", "gauge", "Number of open file descriptors.", p.open_fds);
  family("process_max_fds", "gauge", "Maximum number of open file descriptors.", p.max_fds);
  family("process_start_time_seconds", "gauge",
         "Start time of the process since unix epoch in seconds.", p.start_time_seconds);
}

}  // namespace

Metrics::Metrics()
    : routes_(Routes().size() + 1), by_route_(std::make_unique<RouteSeries[]>(routes_)) {}

void Metrics::ObserveRequest(size_t route, unsigned status, std::chrono::nanoseconds latency) {
  if (route >= routes_) route = routes_ - 1;
  RouteSeries& series = by_route_[route];
  series.requests[StatusIndex(status)].fetch_add(1, std::memory_order_relaxed);
  Observe(series.latency, kLatencyBuckets, latency.count() / 1e9,
          static_cast<uint64_t>(latency.count()));
}

void Metrics::ObserveCommit(size_t batch_ops, std::chrono::nanoseconds latency, bool ok) {
  (void)ok;
  Observe(commit_latency_, kLatencyBuckets, latency.count() / 1e9,
          static_cast<uint64_t>(latency.count()));
  Observe(commit_batch_, kBatchBuckets, static_cast<double>(batch_ops), batch_ops);
}

void Metrics::CountSanitized(const SanitizeStats& stats) {
  extra_dropped_keys.fetch_add(stats.dropped_keys, std::memory_order_relaxed);
  extra_dropped_values.fetch_add(stats.dropped_values, std::memory_order_relaxed);
  extra_truncated_strings.fetch_add(stats.truncated_strings, std::memory_order_relaxed);
  extra_cleaned_strings.fetch_add(stats.cleaned_strings, std::memory_order_relaxed);
}

void Metrics::CountClicksStored(ClickSource source, ClickFilter filter, uint64_t n) {
  clicks_stored_[static_cast<size_t>(source)][static_cast<size_t>(filter)].fetch_add(
      n, std::memory_order_relaxed);
}

void Metrics::CountRedirectRefused(RedirectRefusal reason) {
  redirects_refused_[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::CountRedirectUnrecorded(RedirectUnrecorded reason) {
  redirects_unrecorded_[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::CountTagRefused(TagRefusal reason) {
  tag_refused_[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::CountAuthFailure(AuthFailure reason) {
  auth_failures_[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::Render(const WriterStats& writer, bool store_healthy) const {
  std::string out;
  out.reserve(16 * 1024);

  Header(out, "thrad_http_requests_total", "counter", "HTTP requests by route and status.");
  for (size_t r = 0; r < routes_; ++r) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      const uint64_t v = by_route_[r].requests[s].load(std::memory_order_relaxed);
      if (v == 0) continue;
      const std::string status =
          s + 1 == kStatuses.size() ? std::string("other") : std::to_string(kStatuses[s]);
      out += fmt::format("thrad_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                         RouteName(r), status, v);
    }
  }

  Header(out, "thrad_http_request_duration_seconds", "histogram",
         "Time from a request's headers to its response, by route.");
  for (size_t r = 0; r < routes_; ++r) {
    RenderHistogram(out, "thrad_http_request_duration_seconds",
                    fmt::format("route=\"{}\"", RouteName(r)), kLatencyBuckets,
                    by_route_[r].latency, 1e-9);
  }

  Header(out, "thrad_store_commit_duration_seconds", "histogram",
         "Latency of one group-commit transaction, sync included.");
  RenderHistogram(out, "thrad_store_commit_duration_seconds", "", kLatencyBuckets, commit_latency_,
                  1e-9);
  Header(out, "thrad_store_commit_batch_ops", "histogram", "Write ops per group commit.");
  RenderHistogram(out, "thrad_store_commit_batch_ops", "", kBatchBuckets, commit_batch_, 1.0);

  auto counter = [&out](const char* name, const char* help, uint64_t v) {
    Header(out, name, "counter", help);
    out += fmt::format("{} {}\n", name, v);
  };
  counter("thrad_store_commits_total", "Write transactions committed.", writer.commits);
  counter("thrad_store_committed_ops_total", "Write ops in committed transactions.",
          writer.committed_ops);
  counter("thrad_store_failed_commits_total", "Write transactions that failed (503s).",
          writer.failed_commits);
  counter("thrad_store_rejected_ops_total", "Write ops refused because the queue was full.",
          writer.rejected_full);
  counter("thrad_store_deferred_syncs_total",
          "WAL syncs run after their COMMIT on the sync thread (SQLite, large transactions).",
          writer.syncs);
  counter("thrad_store_copy_commits_total",
          "Batches of new events written with one COPY (PostgreSQL).", writer.copy.copies);
  counter("thrad_store_copy_conflicts_total",
          "COPYs that met an already stored event and were redone with INSERT ... ON CONFLICT "
          "(PostgreSQL).",
          writer.copy.conflicts);
  Header(out, "thrad_store_queue_depth", "gauge", "Write ops waiting for the writer.");
  out += fmt::format("thrad_store_queue_depth {}\n", writer.queue_depth);
  Header(out, "thrad_store_healthy", "gauge",
         "1 when the last commit, key look-up or probe succeeded.");
  out += fmt::format("thrad_store_healthy {}\n", store_healthy ? 1 : 0);

  Header(out, "thrad_duplicates_total", "counter", "Duplicate writes answered, by kind.");
  out += fmt::format("thrad_duplicates_total{{kind=\"collect\"}} {}\n",
                     collect_duplicates.load(std::memory_order_relaxed));
  out += fmt::format("thrad_duplicates_total{{kind=\"conversion\"}} {}\n",
                     conversion_duplicates.load(std::memory_order_relaxed));
  counter("thrad_idempotency_mismatches_total",
          "Conversions refused: idempotency key reused with another payload.",
          idempotency_mismatches.load(std::memory_order_relaxed));
  Header(out, "thrad_extra_fields_dropped_total", "counter",
         "Content dropped or cut while sanitizing params.extra, by what.");
  out += fmt::format("thrad_extra_fields_dropped_total{{what=\"key\"}} {}\n",
                     extra_dropped_keys.load(std::memory_order_relaxed));
  out += fmt::format("thrad_extra_fields_dropped_total{{what=\"value\"}} {}\n",
                     extra_dropped_values.load(std::memory_order_relaxed));
  out += fmt::format("thrad_extra_fields_dropped_total{{what=\"truncated_string\"}} {}\n",
                     extra_truncated_strings.load(std::memory_order_relaxed));
  out += fmt::format("thrad_extra_fields_dropped_total{{what=\"control_chars\"}} {}\n",
                     extra_cleaned_strings.load(std::memory_order_relaxed));
  Header(out, "thrad_auth_failures_total", "counter", "Refused authentications, by reason.");
  static constexpr const char* kReasons[] = {"missing_token", "invalid_key", "forbidden_scope"};
  for (size_t i = 0; i < 3; ++i) {
    out += fmt::format("thrad_auth_failures_total{{reason=\"{}\"}} {}\n", kReasons[i],
                       auth_failures_[i].load(std::memory_order_relaxed));
  }
  Header(out, "thrad_clicks_stored_total", "counter",
         "Clicks stored, by road (redirect, api) and filter reason (none, prefetch, bot).");
  static constexpr const char* kClickSources[] = {"redirect", "api"};
  static constexpr const char* kClickFilters[] = {"none", "prefetch", "bot"};
  for (size_t src = 0; src < 2; ++src) {
    for (size_t f = 0; f < 3; ++f) {
      out += fmt::format("thrad_clicks_stored_total{{source=\"{}\",filter_reason=\"{}\"}} {}\n",
                         kClickSources[src], kClickFilters[f],
                         clicks_stored_[src][f].load(std::memory_order_relaxed));
    }
  }
  Header(out, "thrad_click_redirects_refused_total", "counter",
         "Click redirects refused, by reason (400, 403, 410, 503 without an active signing key).");
  static constexpr const char* kRefusals[] = {"invalid_url", "invalid_signature", "expired",
                                              "no_signing_key"};
  for (size_t i = 0; i < 4; ++i) {
    out += fmt::format("thrad_click_redirects_refused_total{{reason=\"{}\"}} {}\n", kRefusals[i],
                       redirects_refused_[i].load(std::memory_order_relaxed));
  }
  Header(out, "thrad_click_redirects_unrecorded_total", "counter",
         "Click redirects answered with the bare landing URL and no click stored, by reason.");
  static constexpr const char* kUnrecorded[] = {"store_unavailable", "rate_limited"};
  for (size_t i = 0; i < 2; ++i) {
    out += fmt::format("thrad_click_redirects_unrecorded_total{{reason=\"{}\"}} {}\n",
                       kUnrecorded[i], redirects_unrecorded_[i].load(std::memory_order_relaxed));
  }
  Header(out, "thrad_tag_requests_refused_total", "counter",
         "Browser tag requests refused before the store, by reason (404, 403, 429).");
  static constexpr const char* kTagRefusals[] = {
      "tag_not_found", "origin_not_allowed", "rate_limited", "invalid_signature", "click_expired"};
  for (size_t i = 0; i < tag_refused_.size(); ++i) {
    out += fmt::format("thrad_tag_requests_refused_total{{reason=\"{}\"}} {}\n", kTagRefusals[i],
                       tag_refused_[i].load(std::memory_order_relaxed));
  }
  counter("thrad_rate_limited_total", "Requests refused with 429.",
          rate_limited.load(std::memory_order_relaxed));
  Header(out, "thrad_http_open_connections", "gauge", "Client connections open now.");
  out += fmt::format("thrad_http_open_connections {}\n",
                     open_connections.load(std::memory_order_relaxed));
  counter("thrad_http_refused_connections_total",
          "Connections over --max-connections, answered 503 and closed.",
          refused_connections.load(std::memory_order_relaxed));
  Header(out, "thrad_store_queue_capacity", "gauge",
         "Most write ops that may wait for the writer (--max-queue); past it, 503.");
  out += fmt::format("thrad_store_queue_capacity {}\n",
                     queue_capacity.load(std::memory_order_relaxed));
  counter("thrad_log_dropped_total", "Access-log lines dropped because the log queue was full.",
          log_dropped ? log_dropped() : 0);
  Header(out, "thrad_geoip_reloads_total", "counter",
         "SIGHUP reloads of the --geoip-db file: ok took the new file, error kept the old one.");
  out += fmt::format("thrad_geoip_reloads_total{{result=\"ok\"}} {}\n",
                     geoip_reloads_ok.load(std::memory_order_relaxed));
  out += fmt::format("thrad_geoip_reloads_total{{result=\"error\"}} {}\n",
                     geoip_reloads_failed.load(std::memory_order_relaxed));
  counter("thrad_ua_parses_total",
          "User agents parsed with the uap-core regexes (each distinct agent once while cached).",
          ua_parses ? ua_parses() : 0);
  counter("thrad_ua_cache_hits_total", "User agents answered from the parse cache.",
          ua_cache_hits ? ua_cache_hits() : 0);
  Header(out, "thrad_process_start_time_seconds", "gauge",
         "Start time of the process since the Unix epoch, in seconds.");
  out += fmt::format("thrad_process_start_time_seconds {}\n", kProcessStartSeconds);
  AppendProcessMetrics(out, ReadProcessStats());
  Header(out, "thrad_build_info", "gauge", "Build information; the value is always 1.");
  out += fmt::format("thrad_build_info{{version=\"{}\",compiler=\"{}\",boost=\"{}\"}} 1\n",
                     THRAD_VERSION, kCompiler, BOOST_LIB_VERSION);
  return out;
}

}  // namespace thrad
