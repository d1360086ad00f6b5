#include "auth/tag_ring.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace thrad {

TagRing::Snapshot::Snapshot(std::vector<TagRecord> tags) : tags_(std::move(tags)) {
  std::erase_if(tags_, [](const TagRecord& t) { return !t.active(); });
  by_id_.reserve(tags_.size());
  for (const TagRecord& t : tags_) {
    by_id_.emplace(t.tag_id, &t);
    for (const std::string& allowed : t.origins) {
      if (std::optional<WildcardOrigin> w = AsWildcard(allowed)) {
        wildcards_.push_back(std::move(*w));
      } else {
        exact_.insert(allowed);
      }
    }
  }
}

const TagRecord* TagRing::Snapshot::Find(std::string_view tag_id) const {
  auto it = by_id_.find(tag_id);
  return it == by_id_.end() ? nullptr : it->second;
}

bool TagRing::Snapshot::AllowedForSomeTag(std::string_view origin) const {
  std::optional<std::string> canonical = CanonicalOrigin(origin);
  if (!canonical) return false;
  if (exact_.contains(*canonical)) return true;
  return std::any_of(wildcards_.begin(), wildcards_.end(),
                     [&](const WildcardOrigin& w) { return WildcardMatches(w, *canonical); });
}

TagRing::TagRing(TagStore& store, const Clock& clock, std::chrono::milliseconds refresh)
    : store_(store),
      clock_(clock),
      refresh_micros_(std::chrono::duration_cast<std::chrono::microseconds>(refresh).count()) {}

Result<std::shared_ptr<const TagRing::Snapshot>> TagRing::Current() {
  const UnixMicros now = clock_.NowMicros();
  {
    std::lock_guard lock(mu_);
    const bool fresh = now - fetched_at_ < refresh_micros_ && now >= fetched_at_;
    if (snapshot_ && (fresh || refreshing_)) return snapshot_;  // others use the last tags
    refreshing_ = true;
  }
  // Read outside the lock: a slow store delays only this caller.
  Result<std::vector<TagRecord>> tags = store_.ListActiveTags();
  // Index outside the lock too: building the snapshot is the costly part for many tags.
  std::shared_ptr<const Snapshot> fresh;
  if (tags.ok()) fresh = std::make_shared<const Snapshot>(std::move(tags).value());
  std::lock_guard lock(mu_);
  refreshing_ = false;
  fetched_at_ = now;  // after a failure too: the next try waits `refresh`
  if (!fresh) {
    if (snapshot_) return snapshot_;
    return tags.status();
  }
  snapshot_ = std::move(fresh);
  return snapshot_;
}

}  // namespace thrad
