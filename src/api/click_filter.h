#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace thrad {

// The filter_reason of a followed click (CLICKS.md section 3). Such clicks are still stored and
// redirected; reports count them apart.
//
// "prefetch" when the Sec-Purpose or Purpose header contains "prefetch" (ignoring ASCII case;
// e.g. "prefetch", "prefetch;prerender"), else "bot" when the user agent is a crawler
// (`is_bot`: the enrichment's classification from uap-core's regexes, the same as the stored
// is_bot; src/enrich/ua_classifier.h), else nullopt.
std::optional<std::string> ClickFilterReason(std::optional<std::string_view> sec_purpose,
                                             std::optional<std::string_view> purpose, bool is_bot);

}  // namespace thrad
