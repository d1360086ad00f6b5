#include "auth/signing.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "common/base64url.h"
#include "common/hex.h"

namespace thrad {
namespace {

// The bytes 0..31: the secret of the spec's test vectors.
std::string SpecSecret() {
  std::string s;
  for (int i = 0; i < 32; ++i) s += static_cast<char>(i);
  return s;
}

std::string Hex(const std::string& bytes) {
  return HexEncode(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

TEST(SigningTest, SpecSecretIsItsBase64Url) {
  EXPECT_EQ(Base64UrlEncode(SpecSecret()), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
  EXPECT_EQ(Base64UrlDecode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"), SpecSecret());
}

// CLICKS.md section 2's test vector.
// RFC 4231 test case 2 (a key shorter than the block) and 6 (longer: hashed first).
TEST(SigningTest, HmacSha256Rfc4231) {
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Hex(HmacSha256(std::string(131, '\xaa'),
                           "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// Each thread keeps keyed contexts for a few secrets: a signature must depend only on its own
// secret and message, whatever was signed before, across more secrets than the cache holds.
TEST(SigningTest, HmacSha256ContextsDoNotLeakBetweenSecrets) {
  std::vector<std::string> first;
  for (int i = 0; i < 20; ++i) {
    first.push_back(Hex(HmacSha256("secret-" + std::to_string(i), "message")));
  }
  for (int round = 0; round < 3; ++round) {
    for (int i = 19; i >= 0; --i) {
      EXPECT_EQ(Hex(HmacSha256("secret-" + std::to_string(i), "message")), first[i]);
    }
  }
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  std::thread other([&] { EXPECT_EQ(Hex(HmacSha256("secret-3", "message")), first[3]); });
  other.join();
}

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
