#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace thrad {

// The filter_reason of a followed click (CLICKS.md section 3). Such clicks are still stored and
// redirected; reports count them apart.

// The user-agent tokens of known crawlers, matched ignoring ASCII case as whole tokens: the
// characters around a match (if any) must not be letters or digits, so "bot" matches
// "Some bot/1.0" or "spider-bot" but not "Cubot" (a phone brand) or "Abbott". Named crawlers
// first (search engines, social previews, AI crawlers, SEO tools), then generic words.
// docs/api.md must name this list (the filter_reason "bot" is documented by it); keep it the
// one place the list lives. (A later issue replaces it with uap-core's crawler patterns, keeping
// ClickFilterReason's signature.)
std::span<const std::string_view> CrawlerTokens();

// "prefetch" when the Sec-Purpose or Purpose header contains "prefetch" (ignoring ASCII case;
// e.g. "prefetch", "prefetch;prerender"), else "bot" when `user_agent` holds one of
// CrawlerTokens(), else nullopt. An absent header and an absent user agent match nothing.
std::optional<std::string> ClickFilterReason(std::optional<std::string_view> sec_purpose,
                                             std::optional<std::string_view> purpose,
                                             std::optional<std::string_view> user_agent);

}  // namespace thrad
