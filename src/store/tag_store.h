#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/tag.h"

namespace thrad {

// The tag role (TAG.md section 1): browser tags, their partner and allowed origins, kept in the
// store so that every server on one database sees the same tags (through TagRing).
//
// The store keeps what it is given: tag ids and origins are checked by the caller
// (IsValidTagId, NormalizeAllowedOrigins), so both backends store the same things. Origins are
// kept in their given order.
//
// Thread-safety: every method may be called from any thread at any time.
class TagStore {
 public:
  virtual ~TagStore() = default;

  // AlreadyExists when the tag_id is taken, by any partner, removed tags included: a tag id
  // names one partner's tag for ever, so a page still carrying it never feeds another partner.
  virtual Status InsertTag(const TagRecord& tag) = 0;
  // Every tag (removed ones included), or only `partner_id`'s, oldest first (by created_at,
  // then tag_id).
  virtual Result<std::vector<TagRecord>> ListTags(std::optional<std::string> partner_id) = 0;
  // Replaces the tag's origins and sets its updated_at. NotFound when no such tag;
  // InvalidArgument when the tag is removed.
  virtual Status UpdateTagOrigins(std::string_view tag_id, const std::vector<std::string>& origins,
                                  UnixMicros at) = 0;
  // Sets removed_at (once: removing again keeps the first time); the tag's data stays.
  // NotFound when no such tag.
  virtual Status RemoveTag(std::string_view tag_id, UnixMicros at) = 0;
  // The tags that are not removed, by tag_id: what TagRing reads every refresh.
  virtual Result<std::vector<TagRecord>> ListActiveTags() = 0;
};

}  // namespace thrad
