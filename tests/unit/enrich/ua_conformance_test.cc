// uap-core's own test files (tests/test_ua.yaml, test_os.yaml, test_device.yaml) run through
// our port. Every case must pass except the ones allow-listed below with their reason.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "enrich/ua_classifier.h"
#include "testing/status_matchers.h"

namespace thrad {
namespace {

const std::string kUapDir = THRAD_UAP_CORE_DIR;

const UaClassifier& Classifier() {
  static const std::unique_ptr<UaClassifier> c = [] {
    Result<std::unique_ptr<UaClassifier>> r = UaClassifier::Load(kUapDir + "/regexes.yaml", 0);
    if (!r.ok()) {
      ADD_FAILURE() << r.status().ToString();
      return std::unique_ptr<UaClassifier>();
    }
    return std::move(r).value();
  }();
  return *c;
}

// A field of a test case: null and '' both mean "absent".
std::optional<std::string> Expected(const YAML::Node& c, const char* key) {
  YAML::Node v = c[key];
  if (!v || v.IsNull()) return std::nullopt;
  std::string s = v.as<std::string>();
  if (s.empty()) return std::nullopt;
  return s;
}

std::string Show(const std::optional<std::string>& v) { return v ? "'" + *v + "'" : "null"; }

struct Tally {
  int passed = 0;
  int failed = 0;
  int allowed = 0;
};

// Runs every case of `file`; `check` returns "" when a case passes, else what differs.
template <typename Check>
Tally RunFile(const std::string& file, const std::set<std::string>& allowed, Check check) {
  Tally t;
  YAML::Node root = YAML::LoadFile(kUapDir + "/tests/" + file);
  for (const YAML::Node& c : root["test_cases"]) {
    std::string ua = c["user_agent_string"].as<std::string>();
    std::string diff = check(ua, c);
    if (diff.empty()) {
      ++t.passed;
    } else if (allowed.contains(ua)) {
      ++t.allowed;
    } else {
      ++t.failed;
      ADD_FAILURE() << file << ": " << ua << "\n  " << diff;
    }
  }
  std::cout << file << ": " << t.passed << " passed, " << t.allowed << " allow-listed, " << t.failed
            << " failed" << std::endl;
  return t;
}

std::string Compare(const char* field, const std::optional<std::string>& got,
                    const std::optional<std::string>& want) {
  if (got == want) return "";
  return std::string(field) + ": got " + Show(got) + ", want " + Show(want) + "; ";
}

TEST(UaConformanceTest, UserAgents) {
  const UaClassifier& c = Classifier();
  Tally t = RunFile("test_ua.yaml", {}, [&](const std::string& ua, const YAML::Node& tc) {
    UaParse::Agent a = c.ParseAgent(ua);
    return Compare("family", a.family, Expected(tc, "family")) +
           Compare("major", a.major, Expected(tc, "major")) +
           Compare("minor", a.minor, Expected(tc, "minor")) +
           Compare("patch", a.patch, Expected(tc, "patch"));
  });
  EXPECT_GT(t.passed, 1000);
}

TEST(UaConformanceTest, OperatingSystems) {
  const UaClassifier& c = Classifier();
  Tally t = RunFile("test_os.yaml", {}, [&](const std::string& ua, const YAML::Node& tc) {
    UaParse::Os os = c.ParseOs(ua);
    return Compare("family", os.family, Expected(tc, "family")) +
           Compare("major", os.major, Expected(tc, "major")) +
           Compare("minor", os.minor, Expected(tc, "minor")) +
           Compare("patch", os.patch, Expected(tc, "patch")) +
           Compare("patch_minor", os.patch_minor, Expected(tc, "patch_minor"));
  });
  EXPECT_GT(t.passed, 400);
}

TEST(UaConformanceTest, Devices) {
  const UaClassifier& c = Classifier();
  Tally t = RunFile("test_device.yaml", {}, [&](const std::string& ua, const YAML::Node& tc) {
    UaParse::Device d = c.ParseDevice(ua);
    return Compare("family", d.family, Expected(tc, "family")) +
           Compare("brand", d.brand, Expected(tc, "brand")) +
           Compare("model", d.model, Expected(tc, "model"));
  });
  EXPECT_GT(t.passed, 16000);
}

}  // namespace
}  // namespace thrad
