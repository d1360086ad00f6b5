#include "common/random.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <regex>
#include <set>
#include <string>
#include <string_view>

namespace thrad::test {
namespace {

constexpr std::string_view kLowerHex = "0123456789abcdef";
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool OnlyFrom(std::string_view s, std::string_view alphabet) {
  return s.find_first_not_of(alphabet) == std::string_view::npos;
}

TEST(RandomHexTest, TwoLowercaseDigitsPerByte) {
  for (size_t bytes : {0, 1, 4, 8, 16, 32}) {
    const std::string s = RandomHex(bytes);
    EXPECT_EQ(s.size(), 2 * bytes);
    EXPECT_TRUE(OnlyFrom(s, kLowerHex)) << s;
  }
}

TEST(RandomHexTest, EveryDigitTurnsUp) {
  // 4,096 digits: a digit missing from all of them has probability 16 * (15/16)^4096.
  std::set<char> seen;
  for (char c : RandomHex(2048)) seen.insert(c);
  EXPECT_EQ(seen.size(), kLowerHex.size());
}

TEST(RandomHexTest, UniqueOverManyDraws) {
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) seen.insert(RandomHex(8));
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(RandomBase64UrlTest, UnpaddedLengths) {
  // ceil(4 * bytes / 3) characters: no '=' padding.
  const std::pair<size_t, size_t> cases[] = {{0, 0}, {1, 2},   {2, 3},   {3, 4},   {4, 6},  {5, 7},
                                             {6, 8}, {16, 22}, {31, 42}, {32, 43}, {33, 44}};
  for (const auto& [bytes, chars] : cases) {
    const std::string s = RandomBase64Url(bytes);
    EXPECT_EQ(s.size(), chars) << bytes << " bytes: " << s;
    EXPECT_EQ(s.find('='), std::string::npos) << s;
    EXPECT_TRUE(OnlyFrom(s, kBase64Url)) << s;
  }
}

TEST(RandomBase64UrlTest, UsesTheUrlSafeAlphabet) {
  std::set<char> seen;
  for (int i = 0; i < 64; ++i) {
    for (char c : RandomBase64Url(96)) seen.insert(c);
  }
  // 8,192 characters reach all 64 with overwhelming probability; never '+', '/' or '='.
  EXPECT_EQ(seen.size(), kBase64Url.size());
  EXPECT_EQ(seen.count('+') + seen.count('/') + seen.count('='), 0u);
}

TEST(RandomBase64UrlTest, LastCharacterCarriesOnlyRealBits) {
  // 1 byte: the 2nd character holds 2 bits, the rest zero: one of "AQgw". 2 bytes: the 3rd
  // holds 4 bits: a multiple of 4 in the alphabet.
  for (int i = 0; i < 200; ++i) {
    const std::string one = RandomBase64Url(1);
    EXPECT_NE(std::string_view("AQgw").find(one[1]), std::string_view::npos) << one;
    const std::string two = RandomBase64Url(2);
    EXPECT_EQ(kBase64Url.find(two[2]) % 4, 0u) << two;
  }
}

TEST(RandomBase64UrlTest, UniqueOverManyDraws) {
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) seen.insert(RandomBase64Url(16));
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(RandomUuidV4Test, Format) {
  const std::regex kUuidV4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 1000; ++i) {
    const std::string id = RandomUuidV4();
    ASSERT_EQ(id.size(), 36u) << id;
    EXPECT_TRUE(std::regex_match(id, kUuidV4)) << id;
  }
}

TEST(RandomUuidV4Test, VersionAndVariantBitsOnlyAreFixed) {
  // Over many draws each of the 122 random bits varies; the variant nibble takes all of 8-b.
  std::set<char> variants;
  std::set<char> last_digits;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = RandomUuidV4();
    EXPECT_EQ(id[14], '4') << id;
    variants.insert(id[19]);
    last_digits.insert(id[35]);
  }
  EXPECT_EQ(variants, (std::set<char>{'8', '9', 'a', 'b'}));
  EXPECT_EQ(last_digits.size(), kLowerHex.size());
}

TEST(RandomUuidV4Test, UniqueOverManyDraws) {
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) seen.insert(RandomUuidV4());
  EXPECT_EQ(seen.size(), 10'000u);
}

}  // namespace
}  // namespace thrad::test
