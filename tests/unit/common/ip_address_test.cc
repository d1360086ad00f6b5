#include "common/ip_address.h"

#include <gtest/gtest.h>

namespace thrad {
namespace {

TEST(IpAddressTest, CanonicalSpellings) {
  EXPECT_EQ(CanonicalIp("203.0.113.77"), "203.0.113.77");
  EXPECT_EQ(CanonicalIp("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(CanonicalIp("::ffff:198.51.100.4"), "198.51.100.4");
  EXPECT_EQ(CanonicalIp("::1"), "::1");
  EXPECT_EQ(CanonicalIp(""), std::nullopt);
  EXPECT_EQ(CanonicalIp("unknown"), std::nullopt);
  EXPECT_EQ(CanonicalIp("203.0.113.256"), std::nullopt);
  EXPECT_EQ(CanonicalIp(std::string(100, '1')), std::nullopt);
}

TEST(IpAddressTest, AnonymizeClearsTheLastOctetOfIpv4) {
  EXPECT_EQ(AnonymizeIp("203.0.113.77"), "203.0.113.0");
  EXPECT_EQ(AnonymizeIp("10.1.2.0"), "10.1.2.0");
  EXPECT_EQ(AnonymizeIp("::ffff:198.51.100.4"), "198.51.100.0");
}

TEST(IpAddressTest, AnonymizeClearsTheLast80BitsOfIpv6) {
  EXPECT_EQ(AnonymizeIp("2001:db8:1:2:3:4:5:6"), "2001:db8:1::");
  EXPECT_EQ(AnonymizeIp("2001:db8:abcd:ffff:ffff:ffff:ffff:ffff"), "2001:db8:abcd::");
  EXPECT_EQ(AnonymizeIp("::1"), "::");
}

TEST(IpAddressTest, AnonymizeRefusesWhatIsNotAnAddress) {
  EXPECT_EQ(AnonymizeIp("example.com"), std::nullopt);
  EXPECT_EQ(AnonymizeIp("203.0.113"), std::nullopt);
}

}  // namespace
}  // namespace thrad
