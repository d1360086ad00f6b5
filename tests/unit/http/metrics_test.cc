#include "http/metrics.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "http/router.h"

namespace thrad {
namespace {

// Every sample line is `name{labels} value` or `name value`, every name has one TYPE line
// before its samples, and no series appears twice.
TEST(MetricsTest, RendersWellFormedExposition) {
  Metrics m;
  m.ObserveRequest(RouteIndex(MatchRoute("/v1/api/collect")->spec), 204,
                   std::chrono::milliseconds(3));
  m.ObserveRequest(RouteIndex(nullptr), 404, std::chrono::microseconds(10));
  m.ObserveCommit(17, std::chrono::milliseconds(2), true);
  m.CountAuthFailure(Metrics::AuthFailure::kInvalidKey);
  m.extra_cleaned_strings = 3;
  m.refused_connections = 2;
  m.queue_capacity = 128;
  m.log_dropped = [] { return uint64_t{5}; };
  WriterStats w;
  w.queue_depth = 4;
  const std::string text = m.Render(w, true);

  const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*\})? (-?[0-9.e+-]+|\+Inf|NaN)$)");
  const std::regex type_line(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$)");
  std::set<std::string> typed;
  std::set<std::string> series;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch match;
    if (line.rfind("# HELP ", 0) == 0) continue;
    if (std::regex_match(line, match, type_line)) {
      EXPECT_TRUE(typed.insert(match[1]).second) << "two TYPE lines for " << match[1];
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, match, sample)) << "bad line: " << line;
    std::string name = match[1];
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s(suffix);
      if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0 &&
          typed.count(name.substr(0, name.size() - s.size()))) {
        name = name.substr(0, name.size() - s.size());
      }
    }
    EXPECT_TRUE(typed.count(name)) << "sample before its TYPE: " << line;
    EXPECT_TRUE(series.insert(line.substr(0, line.rfind(' '))).second) << "twice: " << line;
  }
  for (const char* expected : {
           "thrad_http_requests_total{route=\"collect\",status=\"204\"} 1",
           "thrad_http_requests_total{route=\"unknown\",status=\"404\"} 1",
           "thrad_store_commit_batch_ops_count 1",
           "thrad_auth_failures_total{reason=\"invalid_key\"} 1",
           "thrad_extra_fields_dropped_total{what=\"control_chars\"} 3",
           "thrad_http_refused_connections_total 2",
           "thrad_store_queue_depth 4",
           "thrad_store_queue_capacity 128",
           "thrad_log_dropped_total 5",
       }) {
    EXPECT_NE(text.find(std::string(expected) + "\n"), std::string::npos) << expected;
  }
  EXPECT_NE(text.find("thrad_build_info{version=\""), std::string::npos);
  EXPECT_NE(text.find("thrad_process_start_time_seconds "), std::string::npos);
}

}  // namespace
}  // namespace thrad
