#include "model/records.h"

namespace thrad {

std::optional<std::string> DedupSourceName(DedupSource source) {
  switch (source) {
    case DedupSource::kHeader:
      return "header";
    case DedupSource::kEventId:
      return "event_id";
    case DedupSource::kOrderId:
      return "order_id";
    case DedupSource::kNone:
      break;
  }
  return std::nullopt;
}

}  // namespace thrad
