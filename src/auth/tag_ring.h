#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/refreshed_snapshot.h"
#include "common/status.h"
#include "model/tag.h"
#include "model/tag_origin.h"
#include "store/tag_store.h"

namespace thrad {

// The active browser tags as one server sees them (TAG.md sections 1 and 2): read from the
// store and reused for less than `refresh` (default 2 s), so that a tag added, updated or
// removed by any process takes effect on every server within 5 s. Like SigningKeyRing, a
// RefreshedSnapshot (common/refreshed_snapshot.h) of its own indexed snapshot.
//
// Contract:
// - Find(tag_id) is the active tag; a removed or unknown tag is nullptr (404 "Tag not found").
// - AllowedForSomeTag(origin) says whether any active tag allows the origin (the CORS headers
//   of TAG.md section 2 are sent for such origins, errors included).
// - A store error while refreshing keeps the last tags read (browser requests go on through an
//   outage) and is retried `refresh` later; before any successful read it is returned. While
//   one caller reads the store, the others use the last tags.
//
// Thread-safety: every method may be called from any thread; a Snapshot is immutable.
class TagRing {
 public:
  static constexpr std::chrono::milliseconds kDefaultRefresh{2000};

  // One consistent view of the active tags, indexed for the request path.
  class Snapshot {
   public:
    // `tags`: the active tags (removed ones given anyway are left out).
    explicit Snapshot(std::vector<TagRecord> tags);
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

    // The active tag `tag_id`; nullptr when unknown or removed.
    const TagRecord* Find(std::string_view tag_id) const;
    // Whether some active tag allows `origin` (as sent; canonicalized here, like OriginAllowed).
    // False for "null" and anything that is not an http(s) origin.
    bool AllowedForSomeTag(std::string_view origin) const;
    // The same for an origin already in CanonicalOrigin's form (RequestOrigin's result).
    bool CanonicalAllowedForSomeTag(std::string_view canonical_origin) const;
    size_t size() const { return tags_.size(); }

   private:
    std::vector<TagRecord> tags_;
    std::unordered_map<std::string_view, const TagRecord*> by_id_;  // views into tags_
    // Every tag's exact origins in one set, and the wildcards (matched one by one: few).
    struct Hash {  // lets exact_ be searched with a string_view
      using is_transparent = void;
      size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_set<std::string, Hash, std::equal_to<>> exact_;
    std::vector<WildcardOrigin> wildcards_;
  };

  TagRing(TagStore& store, const Clock& clock, std::chrono::milliseconds refresh = kDefaultRefresh);

  TagRing(const TagRing&) = delete;
  TagRing& operator=(const TagRing&) = delete;

  // The current tags, refreshed from the store when older than `refresh`.
  Result<std::shared_ptr<const Snapshot>> Current() { return snapshot_.Current(); }

 private:
  RefreshedSnapshot<Snapshot> snapshot_;
};

}  // namespace thrad
