#include "store/erasure_store.h"

#include <optional>

#include "common/ip_address.h"

namespace thrad {

std::string_view ErasureSelectorName(ErasureSelector selector) {
  switch (selector) {
    case ErasureSelector::kClientId:
      return "client_id";
    case ErasureSelector::kSessionId:
      return "session_id";
    case ErasureSelector::kIp:
      return "ip";
  }
  return "unknown";
}

std::string_view ErasureSelectedColumn(ErasureSelector selector) {
  return selector == ErasureSelector::kIp ? "client_ip" : ErasureSelectorName(selector);
}

Result<std::vector<std::string>> ErasureMatchValues(const ErasureRequest& request) {
  if (request.partner_id.empty()) return Status::InvalidArgument("erase: empty partner id");
  if (request.value.empty()) {
    return Status::InvalidArgument("erase: empty " +
                                   std::string(ErasureSelectorName(request.selector)));
  }
  if (request.batch_size == 0) return Status::InvalidArgument("erase: batch size must be positive");
  if (request.selector != ErasureSelector::kIp) return std::vector<std::string>{request.value};
  const std::optional<std::string> canonical = CanonicalIp(request.value);
  const std::optional<std::string> anonymized = AnonymizeIp(request.value);
  if (!canonical || !anonymized) {
    return Status::InvalidArgument("erase: '" + request.value + "' is not an IP address");
  }
  std::vector<std::string> values{*canonical};
  if (*anonymized != *canonical) values.push_back(*anonymized);
  return values;
}

}  // namespace thrad
