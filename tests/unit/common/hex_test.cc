#include "common/hex.h"

#include <gtest/gtest.h>

namespace thrad::test {
namespace {

TEST(HexEncodeTest, LowercaseHighNibbleFirst) {
  const unsigned char bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(HexEncode(bytes, sizeof(bytes)), "00017f80abff");
  EXPECT_EQ(HexEncode(bytes, 1), "00");
  EXPECT_EQ(HexEncode(bytes, 0), "");
}

TEST(HexDecodeTest, InvertsHexEncodeAndRejectsNonHex) {
  const unsigned char bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(HexDecode("00017f80abff"), std::string(reinterpret_cast<const char*>(bytes), 6));
  EXPECT_EQ(HexDecode("ABff"), std::string("\xab\xff"));
  EXPECT_EQ(HexDecode(""), std::string());
  EXPECT_EQ(HexDecode("abc"), std::nullopt);
  EXPECT_EQ(HexDecode("zz"), std::nullopt);
  EXPECT_EQ(HexDecode("0g"), std::nullopt);
}

}  // namespace
}  // namespace thrad::test
