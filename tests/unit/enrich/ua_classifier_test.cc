// The device enrichment of real user agents, as uap-core 0.16 (Debian's uap-core package) sees
// them; every expectation was checked against the parser (and uap-core's own test files pass
// in ua_conformance_test.cc).

#include "enrich/ua_classifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace thrad {
namespace {

using ::testing::HasSubstr;

const std::string kRegexes = std::string(THRAD_UAP_CORE_DIR) + "/regexes.yaml";

std::unique_ptr<UaClassifier> LoadOrDie(size_t cache_capacity) {
  Result<std::unique_ptr<UaClassifier>> r = UaClassifier::Load(kRegexes, cache_capacity);
  EXPECT_OK(r);
  return r.ok() ? std::move(r).value() : nullptr;
}

const UaClassifier& Shared() {
  static const std::unique_ptr<UaClassifier> c = LoadOrDie(UaClassifier::kDefaultCacheCapacity);
  return *c;
}

struct Case {
  const char* ua;
  const char* browser;
  std::optional<const char*> version;
  const char* os;
  const char* device;
  bool is_bot;
};

constexpr std::nullopt_t nullopt = std::nullopt;

const Case kCases[] = {
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36",
     "Chrome", "131", "Windows", "desktop", false},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36",
     "Chrome", "131", "Mac OS X", "desktop", false},
    {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36",
     "Chrome", "131", "Linux", "desktop", false},
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Mobile Safari/537.36",
     "Chrome Mobile", "131", "Android", "mobile", false},
    {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.6778.81 Mobile Safari/537.36",
     "Chrome Mobile", "131", "Android", "mobile", false},
    {"Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36",
     "Chrome", "131", "Android", "tablet", false},
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36",
     "Chrome", "131", "Android", "tablet", false},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
     "Mobile Safari", "17", "iOS", "mobile", false},
    {"Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.6 Mobile/15E148 Safari/604.1",
     "Mobile Safari", "17", "iOS", "tablet", false},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.6 Safari/605.1.15",
     "Safari", "17", "Mac OS X", "desktop", false},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox",
     "133", "Windows", "desktop", false},
    {"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox",
     "133", "Ubuntu", "desktop", false},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
     "Firefox", "133", "Mac OS X", "desktop", false},
    {"Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0", "Firefox Mobile",
     "133", "Android", "mobile", false},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
     "Edge", "131", "Windows", "desktop", false},
    {"Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
     "Samsung Internet", "26", "Android", "mobile", false},
    {"Mozilla/5.0 (Linux; Android 13; SM-G991B Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.39 Mobile Safari/537.36",
     "Chrome Mobile WebView", "131", "Android", "mobile", false},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
     "Opera", "115", "Windows", "desktop", false},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
     "Chrome Mobile iOS", "131", "iOS", "mobile", false},
    {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot", "2",
     "Other", "bot", true},
    {"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; "
     "+http://www.google.com/bot.html) Chrome/131.0.6778.69 Safari/537.36",
     "Googlebot", "2", "Other", "bot", true},
    {"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
     "+http://www.google.com/bot.html)",
     "Googlebot", "2", "Android", "bot", true},
    {"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bingbot", "2",
     "Other", "bot", true},
    {"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
     "+https://openai.com/gptbot)",
     "GPTBot", "1", "Other", "bot", true},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
     "Applebot", "0", "Mac OS X", "bot", true},
    {"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "YandexBot", "3", "Other",
     "bot", true},
    {"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "FacebookBot",
     "1", "Other", "bot", true},
    {"Mozilla/5.0 (compatible; DuckDuckBot-Https/1.1; https://duckduckgo.com/duckduckbot)",
     "DuckDuckBot", nullopt, "Other", "bot", true},
    {"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
     "Baiduspider", "2", "Other", "bot", true},
    {"Twitterbot/1.0", "Twitterbot", "1", "Other", "bot", true},
    {"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "AhrefsBot", "7",
     "Other", "bot", true},
    {"Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", "SemrushBot",
     "7", "Other", "bot", true},
    {"LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
     "LinkedInBot", "1", "Other", "bot", true},
    {"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slackbot-LinkExpanding", "1",
     "Other", "bot", true},
    {"Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", "ClaudeBot", "1", "Other",
     "bot", true},
    {"curl/8.5.0", "curl", "8", "Other", "other", false},
    {"python-requests/2.31.0", "Python Requests", "2", "Other", "other", false},
    {"Go-http-client/1.1", "Go-http-client", "1", "Other", "other", false},
    {"Wget/1.21.4", "Wget", "1", "Other", "other", false},
    {"okhttp/4.12.0", "okhttp", "4", "Other", "other", false},
    {"Apache-HttpClient/4.5.14 (Java/17.0.9)", "Apache-HttpClient", "4", "Other", "other", false},
    {"node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "Other", nullopt, "Other", "other",
     false},
    {"axios/1.6.2", "axios", "1", "Other", "other", false},
    {"", "Other", nullopt, "Other", "other", false},
    {"Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/131.2.1 "
     "like Chrome/131.0.6778.108 Safari/537.36",
     "Amazon Silk", "131", "Android", "tablet", false},
    {"Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063",
     "Edge Mobile", "15", "Windows Phone", "mobile", false},
    {"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36",
     "Chrome", "131", "Chrome OS", "desktop", false},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/489.0.0.39.107;]",
     "Facebook", "489", "iOS", "mobile", false},
    {"Mozilla/5.0 (Linux; Android 14; SM-T870) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36",
     "Chrome", "131", "Android", "tablet", false},
    {"Mozilla/5.0 (Mobile; rv:48.0; KAIOS/2.5) Gecko/48.0 Firefox/48.0 KAIOS/2.5", "Firefox Mobile",
     "48", "KaiOS", "mobile", false},
    {"Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36",
     "Samsung Internet", "4", "Tizen", "other", false},
};

TEST(UaClassifierTest, RealUserAgents) {
  ASSERT_GE(std::size(kCases), 40u);
  for (const Case& c : kCases) {
    Enrichment e;
    Shared().Classify(c.ua, e);
    SCOPED_TRACE(c.ua);
    EXPECT_EQ(e.ua_browser, c.browser);
    EXPECT_EQ(e.ua_browser_version,
              c.version ? std::optional<std::string>(*c.version) : std::nullopt);
    EXPECT_EQ(e.ua_os, c.os);
    EXPECT_EQ(e.ua_device, c.device);
    EXPECT_EQ(e.is_bot, c.is_bot);
    // Geo stays untouched.
    EXPECT_EQ(e.geo_country, std::nullopt);
  }
}

TEST(UaClassifierTest, CachedAnswerEqualsUncached) {
  // Room to spare: each of the 16 shards holds capacity / 16, and the hash decides the shard.
  std::unique_ptr<UaClassifier> c = LoadOrDie(1000);
  ASSERT_NE(c, nullptr);
  for (const Case& k : kCases) {
    Enrichment first, second;
    c->Classify(k.ua, first);
    c->Classify(k.ua, second);
    EXPECT_EQ(first, second) << k.ua;
  }
  EXPECT_EQ(c->CacheSize(), std::size(kCases));
  EXPECT_EQ(c->CacheMisses(), std::size(kCases));
  EXPECT_EQ(c->CacheHits(), std::size(kCases));
}

TEST(UaClassifierTest, CacheIsBoundedByItsCapacity) {
  std::unique_ptr<UaClassifier> c = LoadOrDie(8);
  ASSERT_NE(c, nullptr);
  for (int i = 0; i < 100; ++i) {
    Enrichment e;
    c->Classify("curl/8." + std::to_string(i), e);
    EXPECT_EQ(e.ua_browser, "curl");
  }
  EXPECT_LE(c->CacheSize(), 8u);
  EXPECT_GT(c->CacheSize(), 0u);
}

TEST(UaClassifierTest, ZeroCapacityCachesNothing) {
  std::unique_ptr<UaClassifier> c = LoadOrDie(0);
  ASSERT_NE(c, nullptr);
  Enrichment e;
  c->Classify("curl/8.5.0", e);
  c->Classify("curl/8.5.0", e);
  EXPECT_EQ(c->CacheSize(), 0u);
  EXPECT_EQ(e.ua_browser, "curl");
}

TEST(UaClassifierTest, EmptyAgentIsOtherAndNotABot) {
  Enrichment e;
  Shared().Classify("", e);
  EXPECT_EQ(e.ua_browser, "Other");
  EXPECT_EQ(e.ua_browser_version, std::nullopt);
  EXPECT_EQ(e.ua_os, "Other");
  EXPECT_EQ(e.ua_device, "other");
  EXPECT_EQ(e.is_bot, false);
}

TEST(UaClassifierTest, HttpLibrariesAreOtherNotDesktopAndNotBots) {
  for (const char* ua : {"curl/8.5.0", "python-requests/2.31.0", "Go-http-client/1.1",
                         "Go-http-client/2.0", "Wget/1.21.4", "okhttp/4.12.0", "axios/1.6.2"}) {
    Enrichment e;
    Shared().Classify(ua, e);
    EXPECT_EQ(e.ua_device, "other") << ua;
    EXPECT_EQ(e.is_bot, false) << ua;
  }
}

TEST(UaClassifierTest, ParseGivesTheFullUapResult) {
  UaParse p = Shared().Parse(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/17.6 Mobile/15E148 Safari/604.1");
  EXPECT_EQ(p.agent.family, "Mobile Safari");
  EXPECT_EQ(p.agent.major, "17");
  EXPECT_EQ(p.agent.minor, "6");
  EXPECT_EQ(p.agent.patch, std::nullopt);
  EXPECT_EQ(p.os.family, "iOS");
  EXPECT_EQ(p.os.major, "17");
  EXPECT_EQ(p.os.minor, "6");
  EXPECT_EQ(p.device.family, "iPhone");
  EXPECT_EQ(p.device.brand, "Apple");
  EXPECT_EQ(p.device.model, "iPhone");
}

TEST(UaClassifierTest, VeryLongAgentIsClassifiedByItsStart) {
  std::string ua =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0 ";
  ua.append(100'000, 'x');
  Enrichment e;
  Shared().Classify(ua, e);
  EXPECT_EQ(e.ua_browser, "Firefox");
  EXPECT_EQ(e.ua_device, "desktop");
}

TEST(UaClassifierTest, DeviceClassRules) {
  UaParse p;
  p.device.family = "Spider";
  EXPECT_EQ(DeviceClass(p, ""), "bot");
  p = {};
  p.agent.family = "SomeNewBot";
  EXPECT_EQ(DeviceClass(p, ""), "bot");
  p.agent.family = "Boto3";  // the AWS SDK, not a crawler
  EXPECT_EQ(DeviceClass(p, ""), "other");
  p = {};
  p.os.family = "Android";
  EXPECT_EQ(DeviceClass(p, "Mozilla/5.0 (Linux; Android 14) Mobile Safari"), "mobile");
  EXPECT_EQ(DeviceClass(p, "Mozilla/5.0 (Linux; Android 14) Safari"), "tablet");
  p.device.family = "Kindle";
  EXPECT_EQ(DeviceClass(p, "Mobile"), "tablet");
  p = {};
  p.os.family = "iOS";
  p.device.family = "iPad";
  EXPECT_EQ(DeviceClass(p, ""), "tablet");
  p.device.family = "iPhone";
  EXPECT_EQ(DeviceClass(p, ""), "mobile");
  p = {};
  for (const char* os :
       {"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora", "FreeBSD"}) {
    p.os.family = os;
    EXPECT_EQ(DeviceClass(p, ""), "desktop") << os;
  }
  for (const char* os : {"Windows Phone", "BlackBerry OS", "KaiOS", "Symbian OS"}) {
    p.os.family = os;
    EXPECT_EQ(DeviceClass(p, ""), "mobile") << os;
  }
  p.os.family = "Other";
  EXPECT_EQ(DeviceClass(p, ""), "other");
}

TEST(UaClassifierTest, LoadErrorsNameTheFile) {
  test::TempDir dir;
  Result<std::unique_ptr<UaClassifier>> missing = UaClassifier::Load(dir.File("none.yaml"), 10);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr(dir.File("none.yaml")));

  std::string bad_yaml = dir.File("bad.yaml");
  std::ofstream(bad_yaml) << "user_agent_parsers: [ {regex: 'x'\n";
  Result<std::unique_ptr<UaClassifier>> malformed = UaClassifier::Load(bad_yaml, 10);
  ASSERT_FALSE(malformed.ok());
  EXPECT_THAT(malformed.status().message(), HasSubstr(bad_yaml));

  std::string bad_regex = dir.File("bad_regex.yaml");
  std::ofstream(bad_regex) << "user_agent_parsers:\n  - regex: '(unclosed'\n"
                              "os_parsers: []\ndevice_parsers: []\n";
  Result<std::unique_ptr<UaClassifier>> uncompilable = UaClassifier::Load(bad_regex, 10);
  ASSERT_FALSE(uncompilable.ok());
  EXPECT_THAT(uncompilable.status().message(), HasSubstr("user_agent_parsers[0]"));
  EXPECT_THAT(uncompilable.status().message(), HasSubstr("(unclosed"));

  std::string no_os = dir.File("no_os.yaml");
  std::ofstream(no_os) << "user_agent_parsers: []\n";
  EXPECT_FALSE(UaClassifier::Load(no_os, 10).ok());
}

TEST(UaClassifierTest, SubstitutionTrimmingAndCaseInsensitiveDevices) {
  test::TempDir dir;
  std::string path = dir.File("mini.yaml");
  std::ofstream(path) << R"(user_agent_parsers:
  - regex: '(Foo)Browser/(\d+)\.(\d+)'
    family_replacement: '$1 Browser'
  - regex: 'Bar/(\d+)'
    family_replacement: 'Bar'
    v1_replacement: '$1'
os_parsers:
  - regex: 'FooOS (\d+)'
    os_replacement: 'Foo OS'
    os_v1_replacement: '$1'
device_parsers:
  - regex: 'widget-(\w+)-(\w+)'
    regex_flag: 'i'
    device_replacement: '$1 $2 '
    brand_replacement: '$1'
    model_replacement: ' $2$3 '
)";
  Result<std::unique_ptr<UaClassifier>> r = UaClassifier::Load(path, 10);
  ASSERT_OK(r);
  UaParse p = (*r)->Parse("FooBrowser/12.3 FooOS 7 WIDGET-acme-x1");
  EXPECT_EQ(p.agent.family, "Foo Browser");
  EXPECT_EQ(p.agent.major, "12");
  EXPECT_EQ(p.agent.minor, "3");
  EXPECT_EQ(p.os.family, "Foo OS");
  EXPECT_EQ(p.os.major, "7");
  EXPECT_EQ(p.device.family, "acme x1");  // trimmed
  EXPECT_EQ(p.device.brand, "acme");
  EXPECT_EQ(p.device.model, "x1");  // $3 does not exist: empty
  UaParse q = (*r)->Parse("Bar/5");
  EXPECT_EQ(q.agent.family, "Bar");
  EXPECT_EQ(q.agent.major, "5");
  EXPECT_EQ(q.os.family, "Other");
  EXPECT_EQ(q.device.family, "Other");
  EXPECT_EQ(q.device.brand, std::nullopt);
}

}  // namespace
}  // namespace thrad
