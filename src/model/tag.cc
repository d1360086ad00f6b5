#include "model/tag.h"

namespace thrad {

bool IsValidTagId(std::string_view tag_id) {
  if (tag_id.empty() || tag_id.size() > kMaxTagIdChars) return false;
  for (char c : tag_id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace thrad
