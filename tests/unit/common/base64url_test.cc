#include "common/base64url.h"

#include <gtest/gtest.h>

#include <string>

#include "common/random.h"

namespace thrad {
namespace {

// RFC 4648 section 10's vectors, in the url alphabet without padding.
TEST(Base64UrlTest, Rfc4648Vectors) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("Zm9vYmE"), "fooba");
  EXPECT_EQ(Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_EQ(Base64UrlDecode(""), "");
}

TEST(Base64UrlTest, RoundTripsEveryLength) {
  for (size_t n = 0; n < 70; ++n) {
    std::string bytes;
    for (size_t i = 0; i < n; ++i) bytes += static_cast<char>((i * 37 + n) & 0xFF);
    const std::string text = Base64UrlEncode(bytes);
    EXPECT_EQ(Base64UrlDecode(text), bytes) << n;
  }
}

// One spelling per byte string: padding, the standard alphabet, stray characters and
// non-zero unused bits are refused.
TEST(Base64UrlTest, RefusesNonCanonicalText) {
  for (const char* bad : {"Zg==", "Zm8=", "+/8", "Z", "Zm9vY", "Zh", "Zm9", "Zm 9v", "Zm9v\n"}) {
    EXPECT_FALSE(Base64UrlDecode(bad)) << bad;
  }
  EXPECT_TRUE(Base64UrlDecode("Zg"));
  EXPECT_TRUE(Base64UrlDecode("Zm8"));
}

TEST(Base64UrlTest, DecodesRandomSecrets) {
  for (int i = 0; i < 100; ++i) {
    const std::string text = RandomBase64Url(32);
    ASSERT_EQ(text.size(), 43u);
    auto bytes = Base64UrlDecode(text);
    ASSERT_TRUE(bytes) << text;
    EXPECT_EQ(bytes->size(), 32u);
    EXPECT_EQ(Base64UrlEncode(*bytes), text);
  }
}

}  // namespace
}  // namespace thrad
