#include "api/tag_id.h"

#include <gtest/gtest.h>

namespace thrad {
namespace {

TEST(HttpHostTest, PlainHosts) {
  EXPECT_EQ(HttpHost("https://example.com/"), "example.com");
  EXPECT_EQ(HttpHost("http://example.com"), "example.com");
  EXPECT_EQ(HttpHost("https://shop.example.co.uk/p/1?x=2#frag"), "shop.example.co.uk");
}

TEST(HttpHostTest, SchemeIsCaseInsensitive) {
  EXPECT_EQ(HttpHost("HTTPS://example.com"), "example.com");
  EXPECT_EQ(HttpHost("HtTp://example.com"), "example.com");
}

TEST(HttpHostTest, HostIsLowercased) {
  EXPECT_EQ(HttpHost("https://Shop.EXAMPLE.com/Path"), "shop.example.com");
}

TEST(HttpHostTest, PortUserinfoAndTrailingDotAreRemoved) {
  EXPECT_EQ(HttpHost("https://example.com:8443/x"), "example.com");
  EXPECT_EQ(HttpHost("https://user:secret@example.com/"), "example.com");
  EXPECT_EQ(HttpHost("https://user@Example.com.:80/"), "example.com");
  EXPECT_EQ(HttpHost("https://example.com./"), "example.com");
  EXPECT_EQ(HttpHost("https://example.com../"), "example.com");
}

TEST(HttpHostTest, IpLiterals) {
  EXPECT_EQ(HttpHost("http://192.0.2.10:8080/"), "192.0.2.10");
  EXPECT_EQ(HttpHost("http://[2001:DB8::1]:8080/x"), "[2001:db8::1]");
  EXPECT_EQ(HttpHost("http://[::1]/"), "[::1]");
}

TEST(HttpHostTest, PercentEncodedNameIsDecoded) {
  EXPECT_EQ(HttpHost("https://ex%41mple.com/"), "example.com");
  EXPECT_EQ(HttpHost("https://ex%2Fample.com/"), std::nullopt);  // '/' is not a host character
  EXPECT_EQ(HttpHost("https://ex%00ample.com/"), std::nullopt);
}

TEST(HttpHostTest, SurroundingWhitespaceIsIgnored) {
  EXPECT_EQ(HttpHost("  https://example.com/ \t"), "example.com");
}

TEST(HttpHostTest, NotAnHttpUrl) {
  for (const char* url :
       {"", "example.com", "www.example.com/path", "/relative/path", "//example.com/x",
        "ftp://example.com/", "ws://example.com/", "file:///etc/passwd", "mailto:a@example.com",
        "javascript:alert(1)", "https:example.com", "https://", "https:///path", "http://:80/",
        "https://exa mple.com/", "null", "https://.", "https://[v1.x]/",
        "https://b\xC3\xBC"
        "cher.de/"}) {
    EXPECT_EQ(HttpHost(url), std::nullopt) << url;
  }
}

TEST(DeriveTagIdTest, PageUrlFirst) {
  EXPECT_EQ(
      DeriveTagId("https://page.example/", "https://origin.example", "https://referer.example/x"),
      "site:page.example");
}

TEST(DeriveTagIdTest, OriginWhenPageUrlMissingOrUnusable) {
  EXPECT_EQ(DeriveTagId(std::nullopt, "https://origin.example", "https://referer.example/"),
            "site:origin.example");
  EXPECT_EQ(DeriveTagId("not a url", "https://Origin.example:443", "https://referer.example/"),
            "site:origin.example");
  EXPECT_EQ(DeriveTagId("", "https://origin.example", std::nullopt), "site:origin.example");
}

TEST(DeriveTagIdTest, RefererLast) {
  EXPECT_EQ(DeriveTagId(std::nullopt, std::nullopt, "https://referer.example/a?b"),
            "site:referer.example");
  EXPECT_EQ(DeriveTagId("ftp://page.example/", "null", "http://referer.example/"),
            "site:referer.example");
}

TEST(DeriveTagIdTest, UnknownWhenNoSourceIsUsable) {
  EXPECT_EQ(DeriveTagId(std::nullopt, std::nullopt, std::nullopt), "site:unknown");
  EXPECT_EQ(DeriveTagId("page", "null", "/relative"), "site:unknown");
}

}  // namespace
}  // namespace thrad
