#include "model/records.h"

#include "model/signing_key.h"

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

bool IsValidKid(std::string_view kid) {
  if (kid.size() < 4 || kid.size() > 35 || kid.substr(0, 3) != "sk_") return false;
  for (char c : kid.substr(3)) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string_view SigningKeyStateName(SigningKeyState state) {
  switch (state) {
    case SigningKeyState::kActive:
      return "active";
    case SigningKeyState::kRetired:
      return "retired";
    case SigningKeyState::kRevoked:
      break;
  }
  return "revoked";
}

}  // namespace thrad
