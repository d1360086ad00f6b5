#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/records.h"

namespace thrad {

// A browser tag (TAG.md section 1): the credential of tag.js and ptag, which hold no API key.
// A request names the tag; the tag names its partner and the origins its pages may be served
// from (the origin rule, model/tag_origin.h).
inline constexpr size_t kMaxTagIdChars = 256;
inline constexpr size_t kMaxOriginsPerTag = 100;

struct TagRecord {
  std::string tag_id;      // 1-256 of [A-Za-z0-9_.:-]; unique across partners, removed tags too
  std::string partner_id;  // the partner the tag belongs to
  // Normalized allowed origins (NormalizeAllowedOrigins): "https://shop.example.com",
  // "http://[::1]:8080", "https://*.example.com". 1 to kMaxOriginsPerTag, no duplicates.
  std::vector<std::string> origins;
  UnixMicros created_at = 0;
  UnixMicros updated_at = 0;  // the last change of origins (created_at until then)
  // Set by `tags remove`: the tag stops accepting browser requests; its data stays.
  std::optional<UnixMicros> removed_at;

  bool active() const { return !removed_at.has_value(); }
};

// 1-256 characters of [A-Za-z0-9_.:-].
bool IsValidTagId(std::string_view tag_id);

}  // namespace thrad
