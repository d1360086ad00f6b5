#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "enrich/lru_cache.h"
#include "model/enrichment.h"

namespace thrad {

// What ua-parser makes of one user agent: the three results of the uap-core specification
// (docs/specification.md in ua-parser/uap-core), field for field. A family is "Other" when no
// regex matched; the other fields are nullopt when absent or empty after trimming.
struct UaParse {
  struct Agent {
    std::string family = "Other";
    std::optional<std::string> major, minor, patch;
  };
  struct Os {
    std::string family = "Other";
    std::optional<std::string> major, minor, patch, patch_minor;
  };
  struct Device {
    std::string family = "Other";
    std::optional<std::string> brand, model;
  };
  Agent agent;
  Os os;
  Device device;
};

// The device class stored in Enrichment::ua_device, from a parse and the raw user agent. The
// only hand-written rules; the recognition itself is uap-core's. In this order:
//   "bot"     the device family is "Spider": uap-core's mark for crawlers (Googlebot desktop
//             and smartphone, bingbot, GPTBot, YandexBot, facebookexternalhit...); or the
//             agent family uap-core found names one ("...bot" not followed by a letter,
//             "...spider", "...crawl..."): Applebot's agent reads as Safari on a Mac, so the
//             device parsers call it a Mac, but the agent parsers call it "Applebot".
//   "tablet"  the device is an iPad, a Kindle or Kindle Fire, or its family/model names a
//             tablet (Galaxy Tab, "Tablet"); the OS is "BlackBerry Tablet OS"; or the OS is
//             Android and the agent has no "Mobile" token (Google's rule for Android tablet
//             browsers: Chrome, Firefox and Samsung Internet on tablets omit it).
//   "mobile"  iOS (iPhone, iPod), Android with "Mobile", or another phone OS (Windows Phone,
//             Windows Mobile, BlackBerry OS, Symbian, KaiOS, Firefox OS, Nokia Series 40...),
//             or a device uap-core calls a (feature) phone.
//   "desktop" a desktop OS family: Windows (not Phone/Mobile/CE), Mac OS X, Linux and its
//             distributions, Chrome OS, the BSDs, Solaris.
//   "other"   everything else: HTTP libraries (curl, python-requests, Go-http-client: no OS in
//             their agent), TVs, consoles, the empty agent.
// Known limits: iPadOS 13+ Safari sends the Mac agent, so those iPads are "desktop"; Android
// apps' "Dalvik/..." agents carry no "Mobile" token and so count as "tablet".
std::string_view DeviceClass(const UaParse& parse, std::string_view user_agent);

// Device enrichment from the ua-parser regexes (uap-core's regexes.yaml), loaded once at
// start-up, with an LRU cache of results per distinct user agent.
//
// Regex engine: Boost.Regex (perl syntax). uap-core's regexes are written for Python's `re`
// and PCRE: lookaheads, \b, bounded repeats like .{0,200}, inline groups; Boost.Regex accepts
// every one of them as written and its leftmost-first semantics are the reference
// implementations', so no regex needs rewriting (RE2 rejects some constructs and uap-cpp
// rewrites them; std::regex is several times slower and recursion-bound). Matching cost is
// paid once per distinct agent thanks to the cache, which makes raw engine speed secondary:
// measured ~0.35-0.5 ms per uncached agent (all three parsers; the spider alternations of
// user_agent_parsers and the device list dominate) against ~0.12-0.16 us per cached one, on a
// loaded 2-core machine. PCRE2-JIT or an RE2/Hyperscan prefilter would be faster but are not
// installed here; revisit if distinct-agent floods show up in profiles.
//
// is_bot is true exactly for the "bot" class. HTTP libraries are "other" but not bots: the
// conversion API is legitimately called server-to-server with curl or python-requests, and
// uap-core does not mark them as crawlers. A click filter that wants to drop them can test
// ua_device == "other".
//
// Thread-safety: Parse and Classify from any number of threads (the regexes are immutable;
// the cache is sharded and locked).
class UaClassifier {
 public:
  static constexpr size_t kDefaultCacheCapacity = 10'000;

  // Reads and compiles `regexes_yaml` (user_agent_parsers, os_parsers, device_parsers). A
  // missing or malformed file, or a regex Boost cannot compile, is an error naming it.
  // cache_capacity 0 disables the cache.
  static Result<std::unique_ptr<UaClassifier>> Load(const std::string& regexes_yaml,
                                                    size_t cache_capacity);

  ~UaClassifier();
  UaClassifier(const UaClassifier&) = delete;
  UaClassifier& operator=(const UaClassifier&) = delete;

  // The full ua-parser result, uncached (tests, conformance, benchmarks).
  UaParse Parse(std::string_view user_agent) const;
  // Its three parts alone (uap-core's test files check one part each).
  UaParse::Agent ParseAgent(std::string_view user_agent) const;
  UaParse::Os ParseOs(std::string_view user_agent) const;
  UaParse::Device ParseDevice(std::string_view user_agent) const;

  // Fills ua_browser (agent family), ua_browser_version (major, nullopt when none), ua_os (OS
  // family), ua_device (DeviceClass) and is_bot. Cached per distinct `user_agent`.
  // The empty agent gives "Other", nullopt, "Other", "other", false, as ua-parser says.
  void Classify(std::string_view user_agent, Enrichment& out) const;

  // Cache figures for tests and /metrics.
  size_t CacheSize() const { return cache_.Size(); }
  uint64_t CacheHits() const { return cache_.Hits(); }
  uint64_t CacheMisses() const { return cache_.Misses(); }

  // Rule counts, for the start-up summary.
  size_t agent_rules() const;
  size_t os_rules() const;
  size_t device_rules() const;

  struct Rules;  // the compiled regexes (ua_classifier.cc)

 private:
  struct Classified {
    std::string browser;
    std::optional<std::string> browser_version;
    std::string os;
    std::string_view device;  // one of DeviceClass's literals
  };

  UaClassifier(std::unique_ptr<const Rules> rules, size_t cache_capacity);
  Classified Compute(std::string_view user_agent) const;

  std::unique_ptr<const Rules> rules_;
  mutable ShardedLruCache<Classified> cache_;
};

}  // namespace thrad
