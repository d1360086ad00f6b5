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

}  // namespace
}  // namespace thrad::test
