#include "api/tag_request.h"

#include "model/tag_origin.h"

namespace thrad {

TagRefusal CheckTagOrigin(const TagRecord* tag, const TagCall& call) {
  if (tag == nullptr || !tag->active()) return TagRefusal::kTagNotFound;
  if (!call.origin || !CanonicalOriginAllowed(*tag, *call.origin))
    return TagRefusal::kOriginNotAllowed;
  return TagRefusal::kNone;
}

}  // namespace thrad
