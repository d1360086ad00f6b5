#include "http/request_id.h"

#include <atomic>

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
  // The counter as 16 lowercase hex digits (no printf: this runs for every request).
  uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  std::string id = prefix;
  id.resize(prefix.size() + 16);
  for (size_t i = id.size(); i > prefix.size(); n >>= 4) id[--i] = "0123456789abcdef"[n & 0xf];
  return id;
}

}  // namespace thrad
