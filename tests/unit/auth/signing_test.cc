#include "auth/signing.h"

#include <gtest/gtest.h>

#include <string>

#include "common/base64url.h"

namespace thrad {
namespace {

// The bytes 0..31: the secret of the spec's test vectors.
std::string SpecSecret() {
  std::string s;
  for (int i = 0; i < 32; ++i) s += static_cast<char>(i);
  return s;
}

TEST(SigningTest, SpecSecretIsItsBase64Url) {
  EXPECT_EQ(Base64UrlEncode(SpecSecret()), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
  EXPECT_EQ(Base64UrlDecode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"), SpecSecret());
}

// CLICKS.md section 2's test vector.
TEST(SigningTest, ClickUrlTestVector) {
  const ClickUrlFields f{.partner = "acme",
                         .bid = "bid-7",
                         .campaign = "cmp-42",
                         .tag = "pub_001",
                         .url = "https://shop.example.com/landing?utm_source=thrad#top",
                         .exp = "1798761600"};
  EXPECT_EQ(ClickUrlMessage(f),
            "thrad-click-url.v1\nacme\nbid-7\ncmp-42\npub_001\n"
            "https://shop.example.com/landing?utm_source=thrad#top\n1798761600");
  EXPECT_EQ(ClickUrlSignature(SpecSecret(), f), "dg8rfhJiJ7OPG3rypvQ5Ns6fvMMz7ZxPfs4cG5D95cg");
}

// Every signed value matters: one changed byte anywhere gives another signature.
TEST(SigningTest, ClickUrlSignatureCoversEveryValue) {
  const ClickUrlFields base{"acme", "bid-7", "cmp-42", "pub_001", "https://a.example/", "17"};
  const std::string sig = ClickUrlSignature(SpecSecret(), base);
  for (int i = 0; i < 6; ++i) {
    ClickUrlFields f = base;
    std::string_view* parts[] = {&f.partner, &f.bid, &f.campaign, &f.tag, &f.url, &f.exp};
    std::string changed = std::string(*parts[i]) + "x";
    *parts[i] = changed;
    EXPECT_NE(ClickUrlSignature(SpecSecret(), f), sig) << i;
  }
  // Values cannot slide across the separators.
  EXPECT_NE(ClickUrlSignature(SpecSecret(),
                              {"acme", "bid-7\ncmp-42", "", "pub_001", "https://a.example/", "17"}),
            sig);
  EXPECT_NE(ClickUrlSignature(std::string(32, 'k'), base), sig);
}

// CLICKS.md section 3's test vector.
TEST(SigningTest, LandingSignatureTestVector) {
  EXPECT_EQ(
      LandingSignature("sk_test", SpecSecret(), "11111111-1111-4111-8111-111111111111", 1798761600),
      "v1.sk_test.4_zvQx127wD_8vbooTWEgvVlI2FRy6tb0lkmYtWJCiE");
}

TEST(SigningTest, SplitLandingSignature) {
  auto parts = SplitLandingSignature("v1.sk_test.4_zvQx127wD_8vbooTWEgvVlI2FRy6tb0lkmYtWJCiE");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->kid, "sk_test");
  EXPECT_EQ(parts->sig, "4_zvQx127wD_8vbooTWEgvVlI2FRy6tb0lkmYtWJCiE");
  for (const char* bad : {"", "v1.", "v1.sk_test", "v1.sk_test.", "v2.sk_test.abc", "v1.xx.abc",
                          "v1.sk_.abc", "V1.sk_test.abc"}) {
    EXPECT_FALSE(SplitLandingSignature(bad)) << bad;
  }
}

TEST(SigningTest, SignaturesEqualIsExact) {
  EXPECT_TRUE(SignaturesEqual("abc", "abc"));
  EXPECT_FALSE(SignaturesEqual("abc", "abd"));
  EXPECT_FALSE(SignaturesEqual("abc", "abc="));
  EXPECT_FALSE(SignaturesEqual("", "a"));
  EXPECT_TRUE(SignaturesEqual("", ""));
}

TEST(SigningTest, KidFormat) {
  EXPECT_TRUE(IsValidKid("sk_1"));
  EXPECT_TRUE(IsValidKid("sk_" + std::string(32, 'Z')));
  EXPECT_FALSE(IsValidKid("sk_" + std::string(33, 'Z')));
  for (const char* bad : {"", "sk_", "sk-abc", "SK_abc", "sk_ab-c", "sk_ab c", "sk_é", "key_1"}) {
    EXPECT_FALSE(IsValidKid(bad)) << bad;
  }
}

}  // namespace
}  // namespace thrad
