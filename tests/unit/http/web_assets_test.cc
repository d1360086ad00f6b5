#include "http/web_assets.h"

#include <gtest/gtest.h>

#include "common/sha256.h"

namespace thrad {
namespace {

TEST(WebAssetsTest, TheBrowserScriptsAreEmbeddedWithTheirHashes) {
  for (std::string_view name : {"tag.js", "ptag.js"}) {
    SCOPED_TRACE(std::string(name));
    const WebAsset* asset = FindWebAsset(name);
    ASSERT_NE(asset, nullptr);
    EXPECT_FALSE(asset->content.empty());
    EXPECT_LE(asset->content.size(), 12u * 1024) << "TAG.md §6: each script at most 12 KB";
    EXPECT_EQ(asset->content_type, "text/javascript");
    EXPECT_EQ(asset->etag, "\"" + Sha256Hex(asset->content).substr(0, 32) + "\"");
  }
  EXPECT_EQ(FindWebAsset("missing.js"), nullptr);
  EXPECT_EQ(FindWebAsset(""), nullptr);
}

TEST(WebAssetsTest, TheDashboardAndDebiansChartJsAreEmbedded) {
  const WebAsset* page = FindWebAsset("dashboard/index.html");
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
  for (std::string_view name : {"dashboard/app.js", "dashboard/app.css"}) {
    EXPECT_NE(FindWebAsset(name), nullptr) << name;
  }
  const WebAsset* chart = FindWebAsset("dashboard/chart.js");
  ASSERT_NE(chart, nullptr);
  EXPECT_EQ(chart->content_type, "text/javascript");
  EXPECT_NE(chart->content.find("Chart.js v3."), std::string_view::npos);
}

TEST(WebAssetsTest, ContentTypeByExtension) {
  EXPECT_EQ(ContentTypeOf("tag.js"), "text/javascript");
  EXPECT_EQ(ContentTypeOf("dashboard/app.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeOf("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeOf("README"), "application/octet-stream");
}

TEST(WebAssetsTest, IfNoneMatchComparesWeaklyAndReadsLists) {
  const std::string etag = "\"abc\"";
  EXPECT_TRUE(IfNoneMatchHits("\"abc\"", etag));
  EXPECT_TRUE(IfNoneMatchHits("W/\"abc\"", etag));
  EXPECT_TRUE(IfNoneMatchHits(" * ", etag));
  EXPECT_TRUE(IfNoneMatchHits("\"x\", \"abc\"", etag));
  EXPECT_TRUE(IfNoneMatchHits("\"x\",W/\"abc\"", etag));
  EXPECT_FALSE(IfNoneMatchHits("\"abcd\"", etag));
  EXPECT_FALSE(IfNoneMatchHits("abc", etag));
  EXPECT_FALSE(IfNoneMatchHits("", etag));
  EXPECT_FALSE(IfNoneMatchHits("\"x\" \"abc\"", etag));  // no comma: malformed
  EXPECT_FALSE(IfNoneMatchHits("\"abc", etag));
}

}  // namespace
}  // namespace thrad
