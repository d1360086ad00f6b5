#include "api/click_filter.h"

#include "api/ascii.h"

namespace thrad {
namespace {

bool SaysPrefetch(std::optional<std::string_view> header) {
  return header && FindIgnoreCase(*header, "prefetch") != std::string_view::npos;
}

}  // namespace

std::optional<std::string> ClickFilterReason(std::optional<std::string_view> sec_purpose,
                                             std::optional<std::string_view> purpose, bool is_bot) {
  if (SaysPrefetch(sec_purpose) || SaysPrefetch(purpose)) return "prefetch";
  if (is_bot) return "bot";
  return std::nullopt;
}

}  // namespace thrad
