#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "model/records.h"
#include "model/tag.h"

namespace thrad {

// What the pure browser handlers (TAG.md sections 3-5: tag_collect_handler.h,
// tag_conversion_handler.h) know about a request besides its body. Filled by the HTTP layer.
struct TagCall {
  // The request's origin (RequestOrigin of its Origin and Referer headers, canonical); nullopt
  // when it has none, which no tag allows.
  std::optional<std::string> origin;
  std::optional<std::string> origin_header;  // as sent, for collect's tag_id derivation rules
  std::optional<std::string> referer;
  std::string client_ip;
  UnixMicros received_at = 0;
};

// The active tag `tag_id`, or nullptr when it is unknown or removed (a view of the server's
// TagRing snapshot; the pointer stays valid for the call).
using TagLookup = std::function<const TagRecord*(std::string_view tag_id)>;

// Why a browser request is refused before its fields are read (TAG.md section 2); nothing is
// stored for either.
enum class TagRefusal {
  kNone,
  kTagNotFound,       // 404 {"detail":"Tag not found"}: unknown or removed
  kOriginNotAllowed,  // 403 {"detail":"Origin not allowed for this tag"}, no origin included
};

// The origin rule for one tag: kTagNotFound when `tag` is null, kOriginNotAllowed when the
// call has no origin or the tag does not allow it, else kNone.
TagRefusal CheckTagOrigin(const TagRecord* tag, const TagCall& call);

}  // namespace thrad
