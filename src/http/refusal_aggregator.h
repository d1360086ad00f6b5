#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/refusal.h"

namespace thrad {

// One refused request of an authenticated key (REPORTS.md section 5), as the session saw it
// once its answer was written.
struct Refusal {
  std::string partner_id;
  std::string key_id;
  std::string route;  // the route's canonical path
  int status = 0;
  std::string detail;
  UnixMicros at = 0;
  std::string request_id;
  // A 422's field errors: (loc as its JSON array text, type). Empty for any other refusal.
  std::vector<std::pair<std::string, std::string>> errors;
};

// The refusals between two flushes, in memory: count deltas by (partner, hour bucket, route,
// status, detail, type, loc) and each partner's newest kRefusalSamplesKept samples. Bounded by
// the number of distinct keys and partners, never by the number of refusals, and no delta is
// ever dropped: Take hands everything over and Restore takes back a write that did not commit.
//
// Thread-safety: every method may be called from any thread (one mutex; Add is only ever
// called for a refusal, after its answer was written).
class RefusalAggregator {
 public:
  void Add(const Refusal& r);

  // Everything gathered since the last Take, as one write (`now`: its time, for the store's
  // retention); nullopt when nothing was.
  std::optional<RefusalWrite> Take(UnixMicros now);

  // Gives back a write that did not commit: its deltas are added to what gathered since, and its
  // samples merged in (each partner's newest kRefusalSamplesKept kept).
  void Restore(RefusalWrite write);

  // Distinct count keys waiting (for tests and metrics).
  size_t pending_keys() const;

 private:
  // Adds `s` to its partner's samples, oldest first, dropping the oldest beyond the bound.
  // Requires mu_.
  void KeepSample(RefusalSample s);

  mutable std::mutex mu_;
  std::map<RefusalCountKey, int64_t> counts_;                  // guarded by mu_
  std::map<std::string, std::vector<RefusalSample>> samples_;  // by partner; guarded by mu_
};

// The JSON array of a sample's errors: [{"loc":[...],"type":"..."}, ...].
std::string RefusalErrorsJson(const std::vector<std::pair<std::string, std::string>>& errors);

}  // namespace thrad
