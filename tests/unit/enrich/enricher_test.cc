#include "enrich/enricher.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "enrich/mmdb_fixture.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace thrad {
namespace {

constexpr const char* kChromeAndroid =
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.6778.81 Mobile Safari/537.36";
constexpr const char* kGooglebot =
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

class EnricherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    std::string path = dir_->File("city.mmdb");
    if (test::MakeMmdb(test::kCitySpec, path)) {
      Result<std::unique_ptr<GeoResolver>> g = GeoResolver::Open(path);
      if (g.ok()) geo_ = std::move(g).value().release();
    }
    Result<std::unique_ptr<UaClassifier>> u =
        UaClassifier::Load(std::string(THRAD_UAP_CORE_DIR) + "/regexes.yaml", 100);
    if (u.ok()) ua_ = std::move(u).value().release();
  }
  static void TearDownTestSuite() {
    delete geo_;
    delete ua_;
    delete dir_;
  }
  void SetUp() override {
    ASSERT_NE(geo_, nullptr);
    ASSERT_NE(ua_, nullptr);
  }

  static inline test::TempDir* dir_ = nullptr;
  static inline GeoResolver* geo_ = nullptr;
  static inline UaClassifier* ua_ = nullptr;
};

TEST_F(EnricherTest, GeoAndDevice) {
  Enricher e(geo_, ua_, false);
  Enrichment got = e.Enrich("203.0.113.77", kChromeAndroid);
  EXPECT_EQ(got.geo_country, "US");
  EXPECT_EQ(got.geo_region, "US-CA");
  EXPECT_EQ(got.geo_city, "San Francisco");
  EXPECT_TRUE(got.geo_lat.has_value());
  EXPECT_EQ(got.ua_browser, "Chrome Mobile");
  EXPECT_EQ(got.ua_browser_version, "131");
  EXPECT_EQ(got.ua_os, "Android");
  EXPECT_EQ(got.ua_device, "mobile");
  EXPECT_EQ(got.is_bot, false);
}

TEST_F(EnricherTest, GeoComesFromTheFullAddressEvenWhenAnonymizing) {
  // 198.51.100.77 is Lyon; its anonymized form 198.51.100.0 only France.
  Enricher e(geo_, ua_, true);
  Enrichment got = e.Enrich("198.51.100.77", std::nullopt);
  EXPECT_EQ(got.geo_city, "Lyon");
  EXPECT_EQ(got.geo_region, "FR-ARA");
  EXPECT_EQ(e.StoredIp("198.51.100.77"), "198.51.100.0");
  EXPECT_EQ(e.Enrich(e.StoredIp("198.51.100.77"), std::nullopt).geo_city, std::nullopt);
  EXPECT_EQ(e.Enrich("2001:db8:abcd:1::5", std::nullopt).geo_city, "Berlin");
  EXPECT_EQ(e.StoredIp("2001:db8:abcd:1::5"), "2001:db8:abcd::");
}

TEST_F(EnricherTest, NoUserAgentLeavesDeviceFieldsNull) {
  Enricher e(geo_, ua_, false);
  Enrichment got = e.Enrich("203.0.113.77", std::nullopt);
  EXPECT_EQ(got.geo_country, "US");
  EXPECT_EQ(got.ua_browser, std::nullopt);
  EXPECT_EQ(got.ua_os, std::nullopt);
  EXPECT_EQ(got.ua_device, std::nullopt);
  EXPECT_EQ(got.is_bot, std::nullopt);
  // An empty header is a user agent: "Other".
  Enrichment empty = e.Enrich("203.0.113.77", "");
  EXPECT_EQ(empty.ua_browser, "Other");
  EXPECT_EQ(empty.ua_device, "other");
  EXPECT_EQ(empty.is_bot, false);
}

TEST_F(EnricherTest, MissingSourcesLeaveTheirFieldsNull) {
  Enricher none(nullptr, nullptr, false);
  EXPECT_EQ(none.Enrich("203.0.113.77", kChromeAndroid), Enrichment());
  EXPECT_FALSE(none.IsBot(kGooglebot));

  Enricher geo_only(geo_, nullptr, false);
  Enrichment g = geo_only.Enrich("203.0.113.77", kChromeAndroid);
  EXPECT_EQ(g.geo_country, "US");
  EXPECT_EQ(g.ua_browser, std::nullopt);

  Enricher ua_only(nullptr, ua_, false);
  Enrichment u = ua_only.Enrich("203.0.113.77", kChromeAndroid);
  EXPECT_EQ(u.geo_country, std::nullopt);
  EXPECT_EQ(u.ua_device, "mobile");
}

TEST_F(EnricherTest, UnknownAddressHasNoGeo) {
  Enricher e(geo_, ua_, true);
  Enrichment got = e.Enrich("8.8.8.8", kGooglebot);
  EXPECT_EQ(got.geo_country, std::nullopt);
  EXPECT_EQ(got.ua_device, "bot");
  EXPECT_EQ(got.is_bot, true);
}

TEST_F(EnricherTest, StoredIp) {
  Enricher plain(nullptr, nullptr, false);
  EXPECT_EQ(plain.StoredIp("203.0.113.77"), "203.0.113.77");
  EXPECT_EQ(plain.StoredIp("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2:3:4:5:6");
  Enricher anon(nullptr, nullptr, true);
  EXPECT_EQ(anon.StoredIp("203.0.113.77"), "203.0.113.0");
  EXPECT_EQ(anon.StoredIp("2001:db8:1:2:3:4:5:6"), "2001:db8:1::");
  EXPECT_EQ(anon.StoredIp("unknown"), "unknown");  // not an address: unchanged
  EXPECT_EQ(anon.StoredIp(""), "");
}

TEST_F(EnricherTest, IsBot) {
  Enricher e(nullptr, ua_, false);
  EXPECT_TRUE(e.IsBot(kGooglebot));
  EXPECT_TRUE(e.IsBot("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"));
  EXPECT_FALSE(e.IsBot(kChromeAndroid));
  EXPECT_FALSE(e.IsBot("curl/8.5.0"));
  EXPECT_FALSE(e.IsBot(""));
}

}  // namespace
}  // namespace thrad
