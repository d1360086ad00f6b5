#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/records.h"

namespace thrad {

// Diagnostics (REPORTS.md section 5): the refusals (4xx) of authenticated requests, counted by
// reason in hourly buckets and sampled (the newest kRefusalSamplesKept per partner).

inline constexpr int64_t kRefusalBucketMicros = int64_t{3600} * 1'000'000;
inline constexpr size_t kRefusalSamplesKept = 100;
// Count rows older than this are deleted by every refusal write (GET /v1/api/diagnostics reads
// at most 168 hours).
inline constexpr int64_t kRefusalMaxHours = 168;

inline int64_t RefusalBucket(UnixMicros t) {
  const int64_t r = t % kRefusalBucketMicros;
  return t - (r < 0 ? r + kRefusalBucketMicros : r);
}

// One row of refusal_counts. A 422's row is one of its errors (type and loc, the loc as its
// JSON array text); any other refusal's has type and loc empty (null in the answer).
struct RefusalCountKey {
  std::string partner_id;
  int64_t bucket = 0;  // RefusalBucket of the refusal's time
  std::string route;   // the route's canonical path
  int status = 0;
  std::string detail;
  std::string type;  // "" for none
  std::string loc;   // "" for none, else a JSON array: ["body","event_name"]

  auto operator<=>(const RefusalCountKey&) const = default;
  bool operator==(const RefusalCountKey&) const = default;
};

// One refusal as kept in refusal_samples.
struct RefusalSample {
  std::string partner_id;
  UnixMicros at = 0;
  std::string route;
  int status = 0;
  std::string detail;
  std::string errors;  // JSON array of {"loc":[...],"type":...}; "[]" when none
  std::string request_id;
  std::string key_id;

  bool operator==(const RefusalSample&) const = default;
};

// What one flush writes (a WriteOp payload): count deltas (added, never replacing) and samples,
// then the store drops each touched partner's samples beyond the newest kRefusalSamplesKept and
// the count rows older than kRefusalMaxHours before `now`.
struct RefusalWrite {
  std::map<RefusalCountKey, int64_t> counts;
  std::vector<RefusalSample> samples;  // oldest first
  UnixMicros now = 0;
};

}  // namespace thrad
