#include "api/click_filter.h"

#include <array>
#include <string>

#include "api/ascii.h"

namespace thrad {
namespace {

constexpr auto kCrawlerTokens = std::to_array<std::string_view>({
    // Search engines.
    "Googlebot",
    "bingbot",
    "Slurp",
    "DuckDuckBot",
    "Baiduspider",
    "YandexBot",
    "Applebot",
    "PetalBot",
    // Link previews.
    "facebookexternalhit",
    "Twitterbot",
    "LinkedInBot",
    "Slackbot",
    "Discordbot",
    // AI crawlers and assistants.
    "GPTBot",
    "ChatGPT-User",
    "ClaudeBot",
    "CCBot",
    "PerplexityBot",
    "Bytespider",
    "Amazonbot",
    // SEO tools.
    "AhrefsBot",
    "SemrushBot",
    "MJ12bot",
    "DotBot",
    // Generic words crawlers call themselves by.
    "bot",
    "crawler",
    "spider",
});

bool IsWordChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// kCrawlerTokens lowercased, once.
const std::array<std::string, kCrawlerTokens.size()>& LowerTokens() {
  static const auto tokens = [] {
    std::array<std::string, kCrawlerTokens.size()> out;
    for (size_t i = 0; i < out.size(); ++i) out[i] = AsciiLowered(kCrawlerTokens[i]);
    return out;
  }();
  return tokens;
}

// `token` occurs in `text` (both lowercase) with no letter or digit right before or after.
bool ContainsToken(std::string_view text, std::string_view token) {
  for (size_t at = text.find(token); at != std::string_view::npos; at = text.find(token, at + 1)) {
    const size_t end = at + token.size();
    if ((at == 0 || !IsWordChar(text[at - 1])) && (end == text.size() || !IsWordChar(text[end]))) {
      return true;
    }
  }
  return false;
}

bool SaysPrefetch(std::optional<std::string_view> header) {
  return header && FindIgnoreCase(*header, "prefetch") != std::string_view::npos;
}

}  // namespace

std::span<const std::string_view> CrawlerTokens() { return kCrawlerTokens; }

std::optional<std::string> ClickFilterReason(std::optional<std::string_view> sec_purpose,
                                             std::optional<std::string_view> purpose,
                                             std::optional<std::string_view> user_agent) {
  if (SaysPrefetch(sec_purpose) || SaysPrefetch(purpose)) return "prefetch";
  if (user_agent) {
    const std::string ua = AsciiLowered(*user_agent);  // one pass instead of one per token
    for (const std::string& token : LowerTokens()) {
      if (ContainsToken(ua, token)) return "bot";
    }
  }
  return std::nullopt;
}

}  // namespace thrad
