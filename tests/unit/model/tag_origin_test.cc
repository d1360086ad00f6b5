// The tag id rule and the origin rule (TAG.md sections 1 and 2): pure functions.
#include "model/tag_origin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace thrad {
namespace {

std::string Allowed(std::string_view text) {
  Result<std::string> r = NormalizeAllowedOrigin(text);
  EXPECT_OK(r) << text;
  return r.ok() ? *r : "";
}

// The error message of a rejected allowed origin.
std::string Rejection(std::string_view text) {
  Result<std::string> r = NormalizeAllowedOrigin(text);
  EXPECT_FALSE(r.ok()) << text << " was accepted as " << (r.ok() ? *r : "");
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TagRecord Tag(std::vector<std::string> origins) {
  TagRecord t;
  t.tag_id = "t1";
  t.partner_id = "p1";
  t.origins = std::move(origins);
  return t;
}

TEST(TagIdTest, CharactersAndLength) {
  EXPECT_TRUE(IsValidTagId("a"));
  EXPECT_TRUE(IsValidTagId("shop_01.web:main-EU"));
  EXPECT_TRUE(IsValidTagId(std::string(256, 'x')));
  EXPECT_FALSE(IsValidTagId(""));
  EXPECT_FALSE(IsValidTagId(std::string(257, 'x')));
  for (std::string bad : {"a b", "a/b", "a@b", "ä", "a\nb", "a,b", "a*", "a%20"}) {
    EXPECT_FALSE(IsValidTagId(bad)) << bad;
  }
  EXPECT_FALSE(IsValidTagId(std::string("a\0b", 3)));
}

TEST(NormalizeAllowedOriginTest, CanonicalForm) {
  EXPECT_EQ(Allowed("https://shop.example.com"), "https://shop.example.com");
  EXPECT_EQ(Allowed("HTTPS://Shop.EXAMPLE.com"), "https://shop.example.com");
  EXPECT_EQ(Allowed("https://a.example:443"), "https://a.example");
  EXPECT_EQ(Allowed("http://a.example:80"), "http://a.example");
  EXPECT_EQ(Allowed("http://a.example:443"), "http://a.example:443");  // not http's default
  EXPECT_EQ(Allowed("https://a.example:80"), "https://a.example:80");
  EXPECT_EQ(Allowed("https://a.example:8443"), "https://a.example:8443");
  EXPECT_EQ(Allowed("https://a.example:08443"), "https://a.example:8443");
  EXPECT_EQ(Allowed("https://a.example:0443"), "https://a.example");
  EXPECT_EQ(Allowed("https://a.example:"), "https://a.example");  // an empty port is none
  EXPECT_EQ(Allowed("http://localhost:3000"), "http://localhost:3000");
  EXPECT_EQ(Allowed("https://xn--bcher-kva.example"), "https://xn--bcher-kva.example");
  EXPECT_EQ(Allowed("https://my_host.example"), "https://my_host.example");
}

TEST(NormalizeAllowedOriginTest, IpAddresses) {
  EXPECT_EQ(Allowed("http://192.0.2.10:8080"), "http://192.0.2.10:8080");
  EXPECT_EQ(Allowed("http://[::1]:8080"), "http://[::1]:8080");
  EXPECT_EQ(Allowed("https://[2001:DB8::1]"), "https://[2001:db8::1]");
  EXPECT_EQ(Allowed("https://[2001:db8:0:0:0:0:0:1]:443"), "https://[2001:db8::1]");
  EXPECT_NE(Rejection("https://2001:db8::1").find("2001:db8::1"), std::string::npos);
  Rejection("https://[v1.x]");  // IPvFuture
  Rejection("https://1.2.3");   // browsers read this as an IPv4 address
  Rejection("https://[::1");    // unbalanced
}

TEST(NormalizeAllowedOriginTest, Wildcards) {
  EXPECT_EQ(Allowed("https://*.example.com"), "https://*.example.com");
  EXPECT_EQ(Allowed("HTTPS://*.Example.COM:443"), "https://*.example.com");
  EXPECT_EQ(Allowed("http://*.example.com:8080"), "http://*.example.com:8080");
  EXPECT_EQ(Allowed("https://*.co.uk"), "https://*.co.uk");
  const std::string where = "the whole first label";
  EXPECT_NE(Rejection("https://*").find(where), std::string::npos);
  EXPECT_NE(Rejection("https://*example.com").find(where), std::string::npos);
  EXPECT_NE(Rejection("https://shop.*.example.com").find(where), std::string::npos);
  EXPECT_NE(Rejection("https://*.*.example.com").find(where), std::string::npos);
  EXPECT_NE(Rejection("https://**.example.com").find(where), std::string::npos);
  Rejection("https://*.");
  Rejection("https://*.[::1]");
  Rejection("*");
  Rejection("*.example.com");
}

TEST(NormalizeAllowedOriginTest, RejectionsNameTheOriginAndTheProblem) {
  EXPECT_EQ(Rejection("https://shop.example.com/"),
            "origin 'https://shop.example.com/': an origin has no path, query or fragment (not "
            "even a trailing '/')");
  EXPECT_NE(Rejection("https://a.example/path").find("no path"), std::string::npos);
  EXPECT_NE(Rejection("https://a.example?x=1").find("no path, query"), std::string::npos);
  EXPECT_NE(Rejection("https://a.example#top").find("fragment"), std::string::npos);
  EXPECT_NE(Rejection("https://user:pw@a.example").find("no user name"), std::string::npos);
  EXPECT_NE(Rejection("https://@a.example").find("no user name"), std::string::npos);
  EXPECT_NE(Rejection("ftp://a.example").find("http or https"), std::string::npos);
  EXPECT_NE(Rejection("javascript://a.example").find("http or https"), std::string::npos);
  EXPECT_NE(Rejection("shop.example.com").find("scheme://host[:port]"), std::string::npos);
  EXPECT_NE(Rejection("//shop.example.com").find("scheme://host[:port]"), std::string::npos);
  EXPECT_NE(Rejection("https:shop.example.com").find("scheme://host[:port]"), std::string::npos);
  EXPECT_NE(Rejection("").find("scheme://host[:port]"), std::string::npos);
  EXPECT_NE(Rejection("null").find("'null'"), std::string::npos);
  EXPECT_NE(Rejection("https://a.example:0").find("1-65535"), std::string::npos);
  EXPECT_NE(Rejection("https://a.example:65536").find("1-65535"), std::string::npos);
  EXPECT_NE(Rejection("https://a.example:123456").find("1-65535"), std::string::npos);
  EXPECT_NE(Rejection("https://a..example").find("not a valid host name"), std::string::npos);
  EXPECT_NE(Rejection("https://a.example.").find("not a valid host name"), std::string::npos);
  EXPECT_NE(Rejection("https://.a.example").find("not a valid host name"), std::string::npos);
  EXPECT_NE(Rejection("https://a!b.example").find("not a valid host name"), std::string::npos);
  EXPECT_NE(Rejection("https://" + std::string(64, 'a') + ".example").find("host name"),
            std::string::npos);
  EXPECT_NE(Rejection("https://ex%41mple.com").find("%-escapes"), std::string::npos);
  Rejection("https://");
  Rejection(" https://a.example");
  Rejection("https://a.example ");
  Rejection("https://bücher.example");
  Rejection("https://a.example:https");
}

TEST(NormalizeAllowedOriginsTest, DeduplicatesAfterNormalizingAndLimitsTheCount) {
  auto list = NormalizeAllowedOrigins(
      {"https://a.example:443", "https://b.example", "HTTPS://A.example", "https://a.example"});
  ASSERT_OK(list);
  EXPECT_EQ(*list, (std::vector<std::string>{"https://a.example", "https://b.example"}));

  std::vector<std::string> many;
  for (int i = 0; i < 100; ++i) many.push_back("https://s" + std::to_string(i) + ".example");
  ASSERT_OK(NormalizeAllowedOrigins(many));
  many.push_back("https://s100.example");
  auto too_many = NormalizeAllowedOrigins(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().message(), "at most 100 origins per tag, got 101");
  many.back() = "https://s0.example:443";  // a duplicate: 100 remain
  EXPECT_OK(NormalizeAllowedOrigins(many));

  auto none = NormalizeAllowedOrigins({});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "a tag needs at least one origin");
  auto bad = NormalizeAllowedOrigins({"https://ok.example", "https://bad.example/x"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'https://bad.example/x'"), std::string::npos);
}

TEST(ParseOriginListTest, CommaSeparated) {
  auto list = ParseOriginList("https://a.example, https://*.b.example ,http://c.example:8080");
  ASSERT_OK(list);
  EXPECT_EQ(*list, (std::vector<std::string>{"https://a.example", "https://*.b.example",
                                             "http://c.example:8080"}));
  for (std::string_view bad : {"", ",", "https://a.example,", ",https://a.example",
                               "https://a.example,,https://b.example", "  "}) {
    auto r = ParseOriginList(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("empty origin"), std::string::npos) << bad;
  }
  EXPECT_FALSE(ParseOriginList("https://a.example,https://b.example/").ok());
}

TEST(CanonicalOriginTest, WhatBrowsersSend) {
  EXPECT_EQ(CanonicalOrigin("https://shop.example.com"), "https://shop.example.com");
  EXPECT_EQ(CanonicalOrigin("https://SHOP.Example.com:443"), "https://shop.example.com");
  EXPECT_EQ(CanonicalOrigin("http://[::1]:8080"), "http://[::1]:8080");
  EXPECT_EQ(CanonicalOrigin("null"), std::nullopt);
  EXPECT_EQ(CanonicalOrigin("NULL"), std::nullopt);
  EXPECT_EQ(CanonicalOrigin(""), std::nullopt);
  EXPECT_EQ(CanonicalOrigin("https://*.example.com"), std::nullopt);  // a pattern, not an origin
  EXPECT_EQ(CanonicalOrigin("https://shop.example.com/"), std::nullopt);
  EXPECT_EQ(CanonicalOrigin("file://"), std::nullopt);
  EXPECT_EQ(CanonicalOrigin("chrome-extension://abcdef"), std::nullopt);
  EXPECT_EQ(CanonicalOrigin("https://a.example, https://b.example"), std::nullopt);
}

TEST(OriginOfRefererTest, TakesSchemeHostAndPortOnly) {
  EXPECT_EQ(OriginOfReferer("https://shop.example.com/p/1?x=2#top"), "https://shop.example.com");
  EXPECT_EQ(OriginOfReferer("https://shop.example.com"), "https://shop.example.com");
  EXPECT_EQ(OriginOfReferer("HTTPS://Shop.Example.com:443/"), "https://shop.example.com");
  EXPECT_EQ(OriginOfReferer("http://shop.example.com:8080/a"), "http://shop.example.com:8080");
  EXPECT_EQ(OriginOfReferer("https://user:pw@shop.example.com/"), "https://shop.example.com");
  EXPECT_EQ(OriginOfReferer("http://[2001:DB8::1]:81/x"), "http://[2001:db8::1]:81");
  // The host is what follows the authority's '@', never a look-alike in the path or userinfo.
  EXPECT_EQ(OriginOfReferer("https://shop.example.com@evil.net/"), "https://evil.net");
  EXPECT_EQ(OriginOfReferer("https://evil.net/https://shop.example.com"), "https://evil.net");
  EXPECT_EQ(OriginOfReferer("https://evil.net?https://shop.example.com"), "https://evil.net");
  EXPECT_EQ(OriginOfReferer("/relative/path"), std::nullopt);
  EXPECT_EQ(OriginOfReferer("ftp://shop.example.com/"), std::nullopt);
  EXPECT_EQ(OriginOfReferer("about:blank"), std::nullopt);
  EXPECT_EQ(OriginOfReferer(""), std::nullopt);
  EXPECT_EQ(OriginOfReferer("https://sh op.example.com/"), std::nullopt);
  EXPECT_EQ(OriginOfReferer("https://*.example.com/"), std::nullopt);
}

TEST(RequestOriginTest, OriginHeaderFirstElseReferer) {
  EXPECT_EQ(RequestOrigin("https://a.example", "https://b.example/x"), "https://a.example");
  EXPECT_EQ(RequestOrigin(std::nullopt, "https://b.example/x"), "https://b.example");
  EXPECT_EQ(RequestOrigin(std::nullopt, std::nullopt), std::nullopt);
  // A present Origin is the origin, even "null": the Referer does not stand in for it.
  EXPECT_EQ(RequestOrigin("null", "https://b.example/x"), std::nullopt);
}

TEST(OriginAllowedTest, ExactOrigins) {
  const TagRecord tag = Tag({"https://shop.example.com", "http://localhost:3000"});
  EXPECT_TRUE(OriginAllowed(tag, "https://shop.example.com"));
  EXPECT_TRUE(OriginAllowed(tag, "https://SHOP.example.COM"));      // hosts are case-blind
  EXPECT_TRUE(OriginAllowed(tag, "HTTPS://shop.example.com:443"));  // the default port
  EXPECT_TRUE(OriginAllowed(tag, "http://localhost:3000"));
  EXPECT_FALSE(OriginAllowed(tag, "http://shop.example.com"));  // another scheme
  EXPECT_FALSE(OriginAllowed(tag, "https://shop.example.com:8443"));
  EXPECT_FALSE(OriginAllowed(tag, "http://localhost"));
  EXPECT_FALSE(OriginAllowed(tag, "http://localhost:3001"));
  EXPECT_FALSE(OriginAllowed(tag, "https://example.com"));
  EXPECT_FALSE(OriginAllowed(tag, "https://a.shop.example.com"));  // exact: no subdomains
  EXPECT_FALSE(OriginAllowed(tag, "https://shop.example.com.evil.net"));
  EXPECT_FALSE(OriginAllowed(tag, "https://evil-shop.example.com"));
  EXPECT_FALSE(OriginAllowed(tag, "https://shop.example.co"));
  EXPECT_FALSE(OriginAllowed(tag, "null"));
  EXPECT_FALSE(OriginAllowed(tag, ""));
  EXPECT_FALSE(OriginAllowed(tag, "https://shop.example.com/"));
  // CanonicalOriginAllowed: the same rule for RequestOrigin's (canonical) result, unparsed.
  EXPECT_TRUE(CanonicalOriginAllowed(tag, *RequestOrigin("HTTPS://Shop.Example.com:443", {})));
  EXPECT_TRUE(CanonicalOriginAllowed(tag, "http://localhost:3000"));
  EXPECT_FALSE(CanonicalOriginAllowed(tag, "https://shop.example.com:8443"));
  TagRecord removed = tag;
  removed.removed_at = 1;
  EXPECT_FALSE(CanonicalOriginAllowed(removed, "https://shop.example.com"));
}

TEST(OriginAllowedTest, WildcardsMatchSubdomainsAtAnyDepthButNotTheBareDomain) {
  const TagRecord tag = Tag({"https://*.example.com"});
  EXPECT_TRUE(OriginAllowed(tag, "https://shop.example.com"));
  EXPECT_TRUE(OriginAllowed(tag, "https://a.b.c.example.com"));
  EXPECT_TRUE(OriginAllowed(tag, "https://WWW.Example.Com:443"));
  EXPECT_FALSE(OriginAllowed(tag, "https://example.com"));
  EXPECT_FALSE(OriginAllowed(tag, "https://evil-example.com"));
  EXPECT_FALSE(OriginAllowed(tag, "https://evilexample.com"));
  EXPECT_FALSE(OriginAllowed(tag, "https://example.com.evil.net"));
  EXPECT_FALSE(OriginAllowed(tag, "https://shop.example.com.evil.net"));
  EXPECT_FALSE(OriginAllowed(tag, "https://shop.example.co"));
  EXPECT_FALSE(OriginAllowed(tag, "http://shop.example.com"));        // the scheme counts
  EXPECT_FALSE(OriginAllowed(tag, "https://shop.example.com:8443"));  // so does the port
  EXPECT_FALSE(OriginAllowed(tag, "https://*.example.com"));
  EXPECT_FALSE(OriginAllowed(tag, "null"));

  const TagRecord ported = Tag({"http://*.example.com:8080"});
  EXPECT_TRUE(OriginAllowed(ported, "http://a.example.com:8080"));
  EXPECT_FALSE(OriginAllowed(ported, "http://a.example.com"));
  EXPECT_FALSE(OriginAllowed(ported, "http://a.example.com:80"));
  EXPECT_FALSE(OriginAllowed(ported, "http://a.example.com:8081"));
}

TEST(OriginAllowedTest, IpAddressesAndRemovedTags) {
  TagRecord tag = Tag({"http://[::1]:8080", "http://127.0.0.1:8080"});
  EXPECT_TRUE(OriginAllowed(tag, "http://[0:0::1]:8080"));
  EXPECT_TRUE(OriginAllowed(tag, "http://127.0.0.1:8080"));
  EXPECT_FALSE(OriginAllowed(tag, "http://[::2]:8080"));
  EXPECT_FALSE(OriginAllowed(Tag({"https://*.example.com"}), "https://[::1]"));
  tag.removed_at = 5;
  EXPECT_FALSE(OriginAllowed(tag, "http://127.0.0.1:8080"));  // a removed tag allows nothing
}

TEST(OriginMatchesTest, OnCanonicalForms) {
  EXPECT_TRUE(OriginMatches("https://a.example", "https://a.example"));
  EXPECT_FALSE(OriginMatches("https://a.example", "https://a.example:443"));  // not canonical
  EXPECT_TRUE(OriginMatches("https://*.a.example", "https://x.a.example"));
  EXPECT_FALSE(OriginMatches("https://*.a.example", "https://a.example"));
  auto w = AsWildcard("http://*.a.example:81");
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->scheme, "http://");
  EXPECT_EQ(w->suffix, ".a.example");
  EXPECT_EQ(w->port, ":81");
  EXPECT_FALSE(AsWildcard("https://a.example").has_value());
}

}  // namespace
}  // namespace thrad
