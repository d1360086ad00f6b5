#include "http/request_id.h"

#include <atomic>
#include <cstdio>

#include "common/random.h"

namespace thrad {

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string ResolveRequestId(std::optional<std::string_view> client_value) {
  if (client_value && IsValidRequestId(*client_value)) return std::string(*client_value);
  static const std::string prefix = "req_" + RandomHex(4);
  static std::atomic<uint64_t> counter{0};
  char tail[17];
  std::snprintf(tail, sizeof(tail), "%016llx",
                static_cast<unsigned long long>(counter.fetch_add(1, std::memory_order_relaxed)));
  return prefix + tail;
}

}  // namespace thrad
