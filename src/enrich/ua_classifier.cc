#include "enrich/ua_classifier.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <boost/regex.hpp>
#include <cctype>
#include <exception>
#include <filesystem>
#include <system_error>
#include <unordered_set>

namespace thrad {
namespace {

// Agents longer than this are parsed (and cached) by their first kMaxAgentLength bytes: real
// agents are a few hundred bytes and uap-core's regexes look no further than ~300 bytes in,
// while a client sending distinct 8 KiB agents would otherwise make the cache hold 80 MiB.
constexpr size_t kMaxAgentLength = 1024;

// One regex of regexes.yaml and its replacements: slot 0 is the family (family_replacement,
// os_replacement, device_replacement), then the versions (v1..v4, os_v1..os_v4) or, for
// devices, brand and model.
struct Rule {
  boost::regex re;
  std::array<std::optional<std::string>, 5> replacement;
};

bool Search(const Rule& rule, std::string_view s, boost::cmatch& m) {
  try {
    return boost::regex_search(s.data(), s.data() + s.size(), m, rule.re);
  } catch (const std::exception&) {
    // Boost gives up on a match it deems too complex (std::runtime_error) rather than
    // backtracking forever; for an agent that is "this regex does not match".
    return false;
  }
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

// `tmpl` with $1..$9 replaced by those groups of `m` (empty when a group did not match).
std::string Substitute(const std::string& tmpl, const boost::cmatch& m) {
  std::string out;
  out.reserve(tmpl.size() + 16);
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '$' && i + 1 < tmpl.size() && tmpl[i + 1] >= '1' && tmpl[i + 1] <= '9') {
      size_t g = static_cast<size_t>(tmpl[i + 1] - '0');
      if (g < m.size() && m[g].matched) out.append(m[g].first, m[g].second);
      ++i;
    } else {
      out.push_back(tmpl[i]);
    }
  }
  return out;
}

// One result field: the replacement of `slot` when the rule has one, else capture `group`
// (0: none). Trimmed, as the specification asks; empty means absent.
std::optional<std::string> Field(const Rule& rule, size_t slot, const boost::cmatch& m,
                                 size_t group) {
  std::string value;
  if (rule.replacement[slot]) {
    value = Substitute(*rule.replacement[slot], m);
  } else if (group > 0 && group < m.size() && m[group].matched) {
    value.assign(m[group].first, m[group].second);
  } else {
    return std::nullopt;
  }
  std::string_view t = Trim(value);
  if (t.empty()) return std::nullopt;
  if (t.size() != value.size()) return std::string(t);
  return value;
}

bool Contains(std::string_view s, std::string_view t) { return s.find(t) != s.npos; }

// Whether uap-core's agent family names a crawler: "...bot" (not followed by a letter, which
// keeps the AWS SDK "Boto" out), "...spider", "...crawl...". Catches crawlers whose agent
// otherwise reads as a desktop browser, so that the device parsers match the desktop before
// any Spider rule (Applebot's says "Macintosh" and uap-core calls its device a Mac).
bool NamesCrawler(std::string_view family) {
  std::string lower(family);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (Contains(lower, "spider") || Contains(lower, "crawl")) return true;
  for (size_t at = lower.find("bot"); at != lower.npos; at = lower.find("bot", at + 1)) {
    if (at + 3 == lower.size() || !std::isalpha(static_cast<unsigned char>(lower[at + 3]))) {
      return true;
    }
  }
  return false;
}

}  // namespace

struct UaClassifier::Rules {
  std::vector<Rule> agent, os, device;
};

namespace {

// Compiles one section of regexes.yaml; `keys` names the replacement of each slot.
Status LoadSection(const YAML::Node& root, const char* section,
                   const std::array<const char*, 5>& keys, const std::string& path,
                   std::vector<Rule>& out) {
  YAML::Node list = root[section];
  if (!list || !list.IsSequence()) {
    return Status::Corruption("ua regexes " + path + ": no " + section + " list");
  }
  out.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node& item = list[i];
    std::string where = "ua regexes " + path + ": " + section + "[" + std::to_string(i) + "]";
    if (!item.IsMap() || !item["regex"]) return Status::Corruption(where + ": no regex");
    Rule rule;
    std::string pattern = item["regex"].as<std::string>();
    boost::regex::flag_type flags = boost::regex::perl;
    if (YAML::Node f = item["regex_flag"]; f && f.as<std::string>() == "i") {
      flags |= boost::regex::icase;
    }
    try {
      rule.re.assign(pattern, flags);
    } catch (const std::exception& e) {
      return Status::Corruption(where + ": regex '" + pattern + "': " + e.what());
    }
    for (size_t k = 0; k < keys.size(); ++k) {
      if (keys[k] == nullptr) continue;
      if (YAML::Node r = item[keys[k]]; r && !r.IsNull()) rule.replacement[k] = r.as<std::string>();
    }
    out.push_back(std::move(rule));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<UaClassifier>> UaClassifier::Load(const std::string& regexes_yaml,
                                                         size_t cache_capacity) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(regexes_yaml, ec)) {
    return Status::IoError("ua regexes " + regexes_yaml + ": not a readable file" +
                           (ec ? " (" + ec.message() + ")" : ""));
  }
  auto rules = std::make_unique<Rules>();
  try {
    YAML::Node root = YAML::LoadFile(regexes_yaml);
    THRAD_RETURN_IF_ERROR(LoadSection(root, "user_agent_parsers",
                                      {"family_replacement", "v1_replacement", "v2_replacement",
                                       "v3_replacement", "v4_replacement"},
                                      regexes_yaml, rules->agent));
    THRAD_RETURN_IF_ERROR(LoadSection(root, "os_parsers",
                                      {"os_replacement", "os_v1_replacement", "os_v2_replacement",
                                       "os_v3_replacement", "os_v4_replacement"},
                                      regexes_yaml, rules->os));
    THRAD_RETURN_IF_ERROR(LoadSection(
        root, "device_parsers",
        {"device_replacement", "brand_replacement", "model_replacement", nullptr, nullptr},
        regexes_yaml, rules->device));
  } catch (const YAML::Exception& e) {
    return Status::Corruption("ua regexes " + regexes_yaml + ": " + e.what());
  }
  return std::unique_ptr<UaClassifier>(new UaClassifier(std::move(rules), cache_capacity));
}

UaClassifier::UaClassifier(std::unique_ptr<const Rules> rules, size_t cache_capacity)
    : rules_(std::move(rules)), cache_(cache_capacity) {}

UaClassifier::~UaClassifier() = default;

size_t UaClassifier::agent_rules() const { return rules_->agent.size(); }
size_t UaClassifier::os_rules() const { return rules_->os.size(); }
size_t UaClassifier::device_rules() const { return rules_->device.size(); }

UaParse::Agent UaClassifier::ParseAgent(std::string_view ua) const {
  ua = ua.substr(0, kMaxAgentLength);
  UaParse::Agent a;
  boost::cmatch m;
  for (const Rule& r : rules_->agent) {
    if (!Search(r, ua, m)) continue;
    if (std::optional<std::string> f = Field(r, 0, m, 1)) a.family = std::move(*f);
    a.major = Field(r, 1, m, 2);
    a.minor = Field(r, 2, m, 3);
    a.patch = Field(r, 3, m, 4);
    break;
  }
  return a;
}

UaParse::Os UaClassifier::ParseOs(std::string_view ua) const {
  ua = ua.substr(0, kMaxAgentLength);
  UaParse::Os os;
  boost::cmatch m;
  for (const Rule& r : rules_->os) {
    if (!Search(r, ua, m)) continue;
    if (std::optional<std::string> f = Field(r, 0, m, 1)) os.family = std::move(*f);
    os.major = Field(r, 1, m, 2);
    os.minor = Field(r, 2, m, 3);
    os.patch = Field(r, 3, m, 4);
    os.patch_minor = Field(r, 4, m, 5);
    break;
  }
  return os;
}

UaParse::Device UaClassifier::ParseDevice(std::string_view ua) const {
  ua = ua.substr(0, kMaxAgentLength);
  UaParse::Device d;
  boost::cmatch m;
  for (const Rule& r : rules_->device) {
    if (!Search(r, ua, m)) continue;
    if (std::optional<std::string> f = Field(r, 0, m, 1)) d.family = std::move(*f);
    d.brand = Field(r, 1, m, 0);  // only from brand_replacement
    d.model = Field(r, 2, m, 1);
    break;
  }
  return d;
}

UaParse UaClassifier::Parse(std::string_view ua) const {
  UaParse p;
  p.agent = ParseAgent(ua);
  p.os = ParseOs(ua);
  p.device = ParseDevice(ua);
  return p;
}

std::string_view DeviceClass(const UaParse& p, std::string_view ua) {
  const std::string& dev = p.device.family;
  const std::string& os = p.os.family;
  std::string_view model = p.device.model ? std::string_view(*p.device.model) : "";

  if (dev == "Spider" || NamesCrawler(p.agent.family)) return "bot";

  for (std::string_view t : {"iPad", "Kindle", "Galaxy Tab", "Tablet"}) {
    if (Contains(dev, t) || Contains(model, t)) return "tablet";
  }
  if (os == "BlackBerry Tablet OS") return "tablet";
  if (os == "Android" && !Contains(ua, "Mobile")) return "tablet";

  static const std::unordered_set<std::string_view> kPhoneOs = {"iOS",
                                                                "Android",
                                                                "Windows Phone",
                                                                "Windows Mobile",
                                                                "Windows CE",
                                                                "BlackBerry OS",
                                                                "Symbian OS",
                                                                "Symbian^3",
                                                                "Symbian^3 Anna",
                                                                "Symbian^3 Belle",
                                                                "KaiOS",
                                                                "Firefox OS",
                                                                "Nokia Series 40",
                                                                "Nokia Series 30 Plus",
                                                                "Brew MP",
                                                                "Bada",
                                                                "Sailfish",
                                                                "MeeGo",
                                                                "Maemo",
                                                                "Ubuntu Touch"};
  if (kPhoneOs.contains(os) || dev == "iPhone" || dev == "iPod" ||
      dev.starts_with("Generic Smartphone") || dev.starts_with("Generic Feature Phone")) {
    return "mobile";
  }

  static const std::unordered_set<std::string_view> kDesktopOs = {
      "Mac OS X",   "Mac OS",    "Linux",  "Ubuntu",    "Kubuntu",   "Xubuntu",
      "Lubuntu",    "Debian",    "Fedora", "Red Hat",   "CentOS",    "Gentoo",
      "Mandriva",   "Slackware", "SUSE",   "openSUSE",  "Mint",      "Linux Mint",
      "Arch Linux", "PCLinuxOS", "Puppy",  "BackTrack", "Chrome OS", "Chromium OS",
      "FreeBSD",    "OpenBSD",   "NetBSD", "Solaris",   "SunOS"};
  if (kDesktopOs.contains(os) || os.starts_with("Windows")) return "desktop";
  return "other";
}

UaClassifier::Classified UaClassifier::Compute(std::string_view ua) const {
  UaParse p = Parse(ua);
  Classified c;
  c.device = DeviceClass(p, ua.substr(0, kMaxAgentLength));
  c.browser = std::move(p.agent.family);
  c.browser_version = std::move(p.agent.major);
  c.os = std::move(p.os.family);
  return c;
}

void UaClassifier::Classify(std::string_view ua, Enrichment& out) const {
  ua = ua.substr(0, kMaxAgentLength);
  std::optional<Classified> c = cache_.Get(ua);
  if (!c) {
    c = Compute(ua);
    cache_.Put(ua, *c);
  }
  out.ua_browser = std::move(c->browser);
  out.ua_browser_version = std::move(c->browser_version);
  out.ua_os = std::move(c->os);
  out.ua_device = std::string(c->device);
  out.is_bot = c->device == "bot";
}

}  // namespace thrad
