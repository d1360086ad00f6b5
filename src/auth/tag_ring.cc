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
  return canonical && CanonicalAllowedForSomeTag(*canonical);
}

bool TagRing::Snapshot::CanonicalAllowedForSomeTag(std::string_view canonical_origin) const {
  if (exact_.contains(canonical_origin)) return true;
  return std::any_of(wildcards_.begin(), wildcards_.end(),
                     [&](const WildcardOrigin& w) { return WildcardMatches(w, canonical_origin); });
}

TagRing::TagRing(TagStore& store, const Clock& clock, std::chrono::milliseconds refresh)
    : snapshot_(clock, refresh, [&store]() -> Result<std::shared_ptr<const Snapshot>> {
        Result<std::vector<TagRecord>> tags = store.ListActiveTags();
        if (!tags.ok()) return tags.status();
        // Indexed outside the ring's lock: building the snapshot is the costly part.
        return std::make_shared<const Snapshot>(std::move(tags).value());
      }) {}

}  // namespace thrad
