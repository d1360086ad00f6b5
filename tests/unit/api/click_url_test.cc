#include "api/click_url.h"

#include <gtest/gtest.h>

#include <string>

namespace thrad {
namespace {

constexpr std::string_view kQuery =
    "partner=acme&bid=bid-7&campaign=cmp-42&tag=pub_001"
    "&url=https%3A%2F%2Fshop.example.com%2Flanding%3Futm_source%3Dthrad%23top"
    "&exp=1798761600&kid=sk_test&sig=dg8rfhJiJ7OPG3rypvQ5Ns6fvMMz7ZxPfs4cG5D95cg";

TEST(ClickUrlTest, ParsesTheSpecExample) {
  auto c = ParseClickUrl(kQuery);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->partner, "acme");
  EXPECT_EQ(c->bid, "bid-7");
  EXPECT_EQ(c->campaign, "cmp-42");
  EXPECT_EQ(c->tag, "pub_001");
  EXPECT_EQ(c->url, "https://shop.example.com/landing?utm_source=thrad#top");
  EXPECT_EQ(c->exp, 1798761600);
  EXPECT_EQ(c->exp_text, "1798761600");
  EXPECT_EQ(c->kid, "sk_test");
  EXPECT_EQ(c->sig, "dg8rfhJiJ7OPG3rypvQ5Ns6fvMMz7ZxPfs4cG5D95cg");
}

TEST(ClickUrlTest, DecodesFormStyle) {
  auto c = ParseClickUrl(
      "partner=a+b%2Bc&bid=%C3%A9&url=https://x.example/&exp=0001&kid=sk_1&sig=s&other=1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->partner, "a b+c");
  EXPECT_EQ(c->bid, "\xc3\xa9");
  EXPECT_EQ(c->campaign, "");
  EXPECT_EQ(c->exp_text, "0001");  // signed as it appears
  EXPECT_EQ(c->exp, 1);
}

// Every row of "400 Invalid click URL".
TEST(ClickUrlTest, RefusesMalformedQueries) {
  const std::string ok = "partner=p&bid=b&url=https://x.example/&exp=5&kid=sk_1&sig=s";
  EXPECT_TRUE(ParseClickUrl(ok));
  const std::string bad[] = {
      "",
      "bid=b&url=https://x.example/&exp=5&kid=sk_1&sig=s",           // no partner
      "partner=&bid=b&url=https://x.example/&exp=5&kid=sk_1&sig=s",  // empty partner
      "partner=p&url=https://x.example/&exp=5&kid=sk_1&sig=s",       // no bid
      "partner=p&bid=b&exp=5&kid=sk_1&sig=s",                        // no url
      "partner=p&bid=b&url=https://x.example/&kid=sk_1&sig=s",       // no exp
      "partner=p&bid=b&url=https://x.example/&exp=5&sig=s",          // no kid
      "partner=p&bid=b&url=https://x.example/&exp=5&kid=sk_1",       // no sig
      ok + "&partner=q",                                             // twice
      "partner=" + std::string(129, 'p') + "&bid=b&url=https://x.example/&exp=5&kid=sk_1&sig=s",
      "partner=p&bid=" + std::string(257, 'b') + "&url=https://x.example/&exp=5&kid=sk_1&sig=s",
      "partner=p&bid=b&campaign=" + std::string(257, 'c') +
          "&url=https://x.example/&exp=5&kid=sk_1&sig=s",
      "partner=p%0A&bid=b&url=https://x.example/&exp=5&kid=sk_1&sig=s",  // control character
      "partner=p&bid=b%7F&url=https://x.example/&exp=5&kid=sk_1&sig=s",  // DEL
      "partner=%FF&bid=b&url=https://x.example/&exp=5&kid=sk_1&sig=s",   // not UTF-8
      "partner=p&bid=b&url=/relative&exp=5&kid=sk_1&sig=s",
      "partner=p&bid=b&url=ftp://x.example/&exp=5&kid=sk_1&sig=s",
      "partner=p&bid=b&url=javascript:alert(1)&exp=5&kid=sk_1&sig=s",
      "partner=p&bid=b&url=https:///nohost&exp=5&kid=sk_1&sig=s",
      "partner=p&bid=b&url=https://x.example/" + std::string(2040, 'a') + "&exp=5&kid=sk_1&sig=s",
      "partner=p&bid=b&url=https://x.example/&exp=-5&kid=sk_1&sig=s",
      "partner=p&bid=b&url=https://x.example/&exp=+5&kid=sk_1&sig=s",
      "partner=p&bid=b&url=https://x.example/&exp=5.0&kid=sk_1&sig=s",
      "partner=p&bid=b&url=https://x.example/&exp=99999999999999999999&kid=sk_1&sig=s",
      "partner=p&bid=b&url=https://x.example/&exp=5&kid=key_1&sig=s",
      "partner=p&bid=b&url=https://x.example/&exp=5&kid=sk_1&sig=s%ZZ",  // bad escape
  };
  for (const std::string& q : bad) EXPECT_FALSE(ParseClickUrl(q)) << q;
}

TEST(ClickUrlTest, LandingUrls) {
  EXPECT_TRUE(IsLandingUrl("https://x.example"));
  EXPECT_TRUE(IsLandingUrl("HTTP://x.example:8080/a?b=c#d"));
  EXPECT_FALSE(IsLandingUrl(""));
  EXPECT_FALSE(IsLandingUrl("x.example/a"));
  EXPECT_FALSE(IsLandingUrl("https://x.example/a b"));
  EXPECT_FALSE(IsLandingUrl("mailto:a@x.example"));
}

TEST(ClickUrlTest, AddLandingParamsKeepsOrderSpellingAndFragment) {
  const LandingParams p{.click_id = "11111111-1111-4111-8111-111111111111",
                        .exp = 1798761600,
                        .sig = "v1.sk_test.4_zvQx127wD_8vbooTWEgvVlI2FRy6tb0lkmYtWJCiE",
                        .bid_id = "bid 7+x"};
  const std::string suffix =
      "thrad_click_id=11111111-1111-4111-8111-111111111111&thrad_exp=1798761600"
      "&thrad_sig=v1.sk_test.4_zvQx127wD_8vbooTWEgvVlI2FRy6tb0lkmYtWJCiE&thrad_bid_id=bid%207%2Bx";
  EXPECT_EQ(AddLandingParams("https://shop.example.com/landing?utm_source=thrad#top", p),
            "https://shop.example.com/landing?utm_source=thrad&" + suffix + "#top");
  EXPECT_EQ(AddLandingParams("https://shop.example.com", p), "https://shop.example.com?" + suffix);
  // A landing key whose value holds '=' goes too (Boost.URL 1.81's erase(key) missed it),
  // and empty parameters are dropped.
  EXPECT_EQ(AddLandingParams("https://x.example/p?thrad_sig=_click_id=x&&a", p),
            "https://x.example/p?a&" + suffix);
  EXPECT_EQ(AddLandingParams("https://x.example/p?#f", p), "https://x.example/p?" + suffix + "#f");
  // Earlier landing parameters go; others keep their place and their escapes.
  EXPECT_EQ(AddLandingParams("https://s.example/p?thrad_sig=old&a=%41+b&thrad_click_id=x&z=1", p),
            "https://s.example/p?a=%41+b&z=1&" + suffix);
}

}  // namespace
}  // namespace thrad
