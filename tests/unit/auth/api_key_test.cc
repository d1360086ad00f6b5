#include "auth/api_key.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <string>

#include "common/sha256.h"
#include "testing/status_matchers.h"

namespace thrad {
namespace {

constexpr uint32_t kCollect = static_cast<uint32_t>(Scope::kCollect);
constexpr uint32_t kConversion = static_cast<uint32_t>(Scope::kConversion);

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TEST(GenerateKeyTest, SecretFormatAndEntropy) {
  NewKey k = GenerateKey("p1", "main", kAllScopes, std::nullopt, 1234);
  ASSERT_EQ(k.secret.substr(0, 4), "thr_");
  // 32 bytes -> 43 unpadded base64url chars.
  std::string body = k.secret.substr(4);
  EXPECT_EQ(body.size(), 43u);
  for (char c : body) EXPECT_TRUE(IsBase64UrlChar(c)) << c;
}

TEST(GenerateKeyTest, RecordFields) {
  NewKey k = GenerateKey("p1", "main label", kCollect, UnixMicros{99}, 1234);
  EXPECT_EQ(k.record.id.substr(0, 4), "key_");
  EXPECT_EQ(k.record.id.size(), 4u + 16u);
  EXPECT_TRUE(IsLowerHex(k.record.id.substr(4)));
  EXPECT_EQ(k.record.digest, Sha256Hex(k.secret));
  EXPECT_EQ(k.record.digest.size(), 64u);
  EXPECT_EQ(k.record.partner_id, "p1");
  EXPECT_EQ(k.record.label, "main label");
  EXPECT_EQ(k.record.scopes, kCollect);
  EXPECT_EQ(k.record.created_at, 1234);
  EXPECT_EQ(k.record.expires_at, UnixMicros{99});
  EXPECT_FALSE(k.record.revoked_at.has_value());
  EXPECT_FALSE(k.record.last_used_at.has_value());
  EXPECT_EQ(k.record.digest.find(k.secret), std::string::npos);
}

TEST(GenerateKeyTest, Unique) {
  std::set<std::string> secrets, ids;
  for (int i = 0; i < 1000; ++i) {
    NewKey k = GenerateKey("p", "l", kAllScopes, std::nullopt, 0);
    secrets.insert(k.secret);
    ids.insert(k.record.id);
  }
  EXPECT_EQ(secrets.size(), 1000u);
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(KeyDigestTest, IsSha256Hex) {
  EXPECT_EQ(KeyDigest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(KeyDigest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(KeyDigest("thr_a"), KeyDigest("thr_b"));
}

TEST(ParseScopesTest, Valid) {
  EXPECT_EQ(ParseScopes("collect").value(), kCollect);
  EXPECT_EQ(ParseScopes("conversion").value(), kConversion);
  EXPECT_EQ(ParseScopes("collect,conversion").value(), kAllScopes);
  EXPECT_EQ(ParseScopes("conversion,collect").value(), kAllScopes);
  EXPECT_EQ(ParseScopes(" collect , conversion ").value(), kAllScopes);
  EXPECT_EQ(ParseScopes("collect,collect").value(), kCollect);
}

TEST(ParseScopesTest, Invalid) {
  for (std::string_view bad : {"", " ", "collect,", ",collect", "collect,,conversion", "read",
                               "Collect", "collect,write"}) {
    Result<uint32_t> r = ParseScopes(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ScopesToStringTest, FixedOrder) {
  EXPECT_EQ(ScopesToString(kAllScopes), "collect,conversion");
  EXPECT_EQ(ScopesToString(kCollect), "collect");
  EXPECT_EQ(ScopesToString(kConversion), "conversion");
  EXPECT_EQ(ScopesToString(0), "");
  EXPECT_EQ(ParseScopes(ScopesToString(kAllScopes)).value(), kAllScopes);
}

TEST(ParseBearerTokenTest, Accepts) {
  EXPECT_EQ(ParseBearerToken("Bearer thr_abc"), "thr_abc");
  EXPECT_EQ(ParseBearerToken("bearer thr_abc"), "thr_abc");
  EXPECT_EQ(ParseBearerToken("BEARER thr_abc"), "thr_abc");
  EXPECT_EQ(ParseBearerToken("BeArEr thr_abc"), "thr_abc");
  EXPECT_EQ(ParseBearerToken("Bearer    thr_abc"), "thr_abc");
  EXPECT_EQ(ParseBearerToken("Bearer thr_abc  "), "thr_abc");
  EXPECT_EQ(ParseBearerToken("  Bearer thr_abc\t"), "thr_abc");
  EXPECT_EQ(ParseBearerToken("Bearer x"), "x");
}

TEST(ParseBearerTokenTest, Rejects) {
  for (std::string_view bad :
       {"", " ", "Bearer", "Bearer ", "Bearer    ", "Bearer\t", "Basic dXNlcjpwYXNz",
        "Token thr_abc", "Bearerthr_abc", "thr_abc", "Bear thr_abc", "Bearer\tthr_abc"}) {
    EXPECT_EQ(ParseBearerToken(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(ValidateRateLimitOverrideTest, AcceptsDefaultsZeroRpsAndPositiveValues) {
  EXPECT_OK(ValidateRateLimitOverride(std::nullopt, std::nullopt));
  EXPECT_OK(ValidateRateLimitOverride(0.0, std::nullopt));  // 0: no limit for this key
  EXPECT_OK(ValidateRateLimitOverride(0.5, 3));
  EXPECT_OK(ValidateRateLimitOverride(std::nullopt, 1));
  EXPECT_OK(ValidateRateLimitOverride(1e9, 1'000'000'000));
}

TEST(ValidateRateLimitOverrideTest, RejectsNegativeOrNanRpsAndBurstBelowOne) {
  for (double rps : {-1.0, -0.001, std::numeric_limits<double>::quiet_NaN(),
                     -std::numeric_limits<double>::infinity()}) {
    Status st = ValidateRateLimitOverride(rps, 1);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << rps;
    EXPECT_EQ(st.message(), "rate_limit_rps must be 0 or more") << rps;
  }
  for (int64_t burst : {int64_t{0}, int64_t{-1}, std::numeric_limits<int64_t>::min()}) {
    Status st = ValidateRateLimitOverride(1.0, burst);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << burst;
    EXPECT_EQ(st.message(), "rate_limit_burst must be 1 or more") << burst;
  }
  // The rps is checked first.
  EXPECT_EQ(ValidateRateLimitOverride(-1.0, 0).message(), "rate_limit_rps must be 0 or more");
}

}  // namespace
}  // namespace thrad
