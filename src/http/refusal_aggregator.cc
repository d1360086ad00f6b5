#include "http/refusal_aggregator.h"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

namespace thrad {

std::string RefusalErrorsJson(const std::vector<std::pair<std::string, std::string>>& errors) {
  std::string out = "[";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"loc\":";
    out += errors[i].first.empty() ? "null" : errors[i].first;
    out += ",\"type\":";
    out += boost::json::serialize(boost::json::value(errors[i].second));
    out += '}';
  }
  out += ']';
  return out;
}

void RefusalAggregator::Add(const Refusal& r) {
  RefusalCountKey key{r.partner_id, RefusalBucket(r.at), r.route, r.status, r.detail, {}, {}};
  RefusalSample sample{r.partner_id, r.at,     r.route,
                       r.status,     r.detail, RefusalErrorsJson(r.errors),
                       r.request_id, r.key_id};
  std::lock_guard lock(mu_);
  if (r.errors.empty()) {
    ++counts_[key];
  } else {
    // One per distinct (loc, type) of the request.
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& [loc, type] : r.errors) {
      if (!seen.insert({loc, type}).second) continue;
      key.loc = loc;
      key.type = type;
      ++counts_[key];
    }
  }
  KeepSample(std::move(sample));
}

void RefusalAggregator::KeepSample(RefusalSample s) {
  std::vector<RefusalSample>& kept = samples_[s.partner_id];
  // Almost always the newest: appended. A restored or late one goes to its place by time.
  auto at = std::upper_bound(kept.begin(), kept.end(), s.at,
                             [](UnixMicros t, const RefusalSample& k) { return t < k.at; });
  kept.insert(at, std::move(s));
  if (kept.size() > kRefusalSamplesKept) {
    kept.erase(kept.begin(),
               kept.begin() + static_cast<std::ptrdiff_t>(kept.size() - kRefusalSamplesKept));
  }
}

std::optional<RefusalWrite> RefusalAggregator::Take(UnixMicros now) {
  RefusalWrite w;
  w.now = now;
  std::map<std::string, std::vector<RefusalSample>> samples;
  {
    std::lock_guard lock(mu_);
    if (counts_.empty() && samples_.empty()) return std::nullopt;
    w.counts.swap(counts_);
    samples.swap(samples_);
  }
  for (auto& [partner, list] : samples) {
    for (RefusalSample& s : list) w.samples.push_back(std::move(s));
  }
  std::stable_sort(w.samples.begin(), w.samples.end(),
                   [](const RefusalSample& a, const RefusalSample& b) { return a.at < b.at; });
  return w;
}

void RefusalAggregator::Restore(RefusalWrite write) {
  std::lock_guard lock(mu_);
  for (const auto& [key, delta] : write.counts) counts_[key] += delta;
  for (RefusalSample& s : write.samples) KeepSample(std::move(s));
}

size_t RefusalAggregator::pending_keys() const {
  std::lock_guard lock(mu_);
  return counts_.size();
}

}  // namespace thrad
