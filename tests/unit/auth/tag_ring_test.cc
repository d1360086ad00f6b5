#include "auth/tag_ring.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "testing/status_matchers.h"

namespace thrad {
namespace {

// The tag role in memory; can be made to fail.
class FakeTagStore : public TagStore {
 public:
  Status InsertTag(const TagRecord& tag) override {
    tags_[tag.tag_id] = tag;
    return Status::Ok();
  }
  Result<std::vector<TagRecord>> ListTags(std::optional<std::string>) override {
    return Status::Internal("the ring reads only active tags");
  }
  Status UpdateTagOrigins(std::string_view tag_id, const std::vector<std::string>& origins,
                          UnixMicros at) override {
    TagRecord& t = tags_.at(std::string(tag_id));
    t.origins = origins;
    t.updated_at = at;
    return Status::Ok();
  }
  Status RemoveTag(std::string_view tag_id, UnixMicros at) override {
    tags_.at(std::string(tag_id)).removed_at = at;
    return Status::Ok();
  }
  Result<std::vector<TagRecord>> ListActiveTags() override {
    ++reads;
    if (fail) return Status::Unavailable("store down");
    std::vector<TagRecord> out;
    for (const auto& [id, t] : tags_) {
      if (t.active() || include_removed) out.push_back(t);
    }
    return out;
  }

  bool fail = false;
  bool include_removed = false;  // a store that lists removed tags too: the ring drops them
  int reads = 0;

 private:
  std::map<std::string, TagRecord> tags_;
};

TagRecord Tag(std::string tag_id, std::string partner_id, std::vector<std::string> origins) {
  TagRecord t;
  t.tag_id = std::move(tag_id);
  t.partner_id = std::move(partner_id);
  t.origins = std::move(origins);
  return t;
}

class TagRingTest : public ::testing::Test {
 protected:
  const TagRing::Snapshot& Tags() {
    auto current = ring_.Current();
    EXPECT_OK(current);
    snapshot_ = *current;
    return *snapshot_;
  }

  FakeTagStore store_;
  ManualClock clock_{1'000'000'000};
  TagRing ring_{store_, clock_, std::chrono::milliseconds(2000)};
  std::shared_ptr<const TagRing::Snapshot> snapshot_;
};

TEST_F(TagRingTest, FindsActiveTagsOnly) {
  ASSERT_OK(store_.InsertTag(Tag("shop", "p1", {"https://shop.example.com"})));
  ASSERT_OK(store_.InsertTag(Tag("blog", "p2", {"https://*.blog.example"})));
  ASSERT_OK(store_.InsertTag(Tag("gone", "p1", {"https://gone.example"})));
  ASSERT_OK(store_.RemoveTag("gone", 5));
  store_.include_removed = true;
  const TagRing::Snapshot& tags = Tags();
  EXPECT_EQ(tags.size(), 2u);
  ASSERT_NE(tags.Find("shop"), nullptr);
  EXPECT_EQ(tags.Find("shop")->partner_id, "p1");
  EXPECT_EQ(tags.Find("blog")->origins[0], "https://*.blog.example");
  EXPECT_EQ(tags.Find("gone"), nullptr);
  EXPECT_EQ(tags.Find("unknown"), nullptr);
  EXPECT_EQ(tags.Find("SHOP"), nullptr);  // tag ids are case-sensitive
  EXPECT_TRUE(OriginAllowed(*tags.Find("shop"), "https://shop.example.com"));
  EXPECT_FALSE(OriginAllowed(*tags.Find("shop"), "https://a.blog.example"));
}

TEST_F(TagRingTest, AllowedForSomeTagAcrossTagsAndWildcards) {
  ASSERT_OK(
      store_.InsertTag(Tag("shop", "p1", {"https://shop.example.com", "http://localhost:3000"})));
  ASSERT_OK(
      store_.InsertTag(Tag("blog", "p2", {"https://*.blog.example", "http://*.dev.example:8080"})));
  ASSERT_OK(store_.InsertTag(Tag("gone", "p1", {"https://gone.example"})));
  ASSERT_OK(store_.RemoveTag("gone", 5));
  const TagRing::Snapshot& tags = Tags();
  EXPECT_TRUE(tags.AllowedForSomeTag("https://shop.example.com"));
  EXPECT_TRUE(tags.AllowedForSomeTag("https://SHOP.example.com:443"));
  EXPECT_TRUE(tags.AllowedForSomeTag("http://localhost:3000"));
  EXPECT_TRUE(tags.AllowedForSomeTag("https://a.blog.example"));
  EXPECT_TRUE(tags.AllowedForSomeTag("https://x.y.blog.example"));
  EXPECT_TRUE(tags.AllowedForSomeTag("http://a.dev.example:8080"));
  EXPECT_FALSE(tags.AllowedForSomeTag("http://a.dev.example"));
  EXPECT_FALSE(tags.AllowedForSomeTag("https://blog.example"));  // not the bare domain
  // The request path's form: the origin is canonical already (RequestOrigin), not parsed again.
  EXPECT_TRUE(tags.CanonicalAllowedForSomeTag("https://shop.example.com"));
  EXPECT_TRUE(tags.CanonicalAllowedForSomeTag("https://x.y.blog.example"));
  EXPECT_TRUE(tags.CanonicalAllowedForSomeTag("http://a.dev.example:8080"));
  EXPECT_FALSE(tags.CanonicalAllowedForSomeTag("https://blog.example"));
  EXPECT_FALSE(tags.CanonicalAllowedForSomeTag("https://SHOP.example.com:443"));  // not canonical
  EXPECT_FALSE(tags.AllowedForSomeTag("https://evil-blog.example"));
  EXPECT_FALSE(tags.AllowedForSomeTag("https://a.blog.example.evil.net"));
  EXPECT_FALSE(tags.AllowedForSomeTag("https://gone.example"));  // a removed tag's origin
  EXPECT_FALSE(tags.AllowedForSomeTag("http://shop.example.com"));
  EXPECT_FALSE(tags.AllowedForSomeTag("null"));
  EXPECT_FALSE(tags.AllowedForSomeTag(""));
  EXPECT_FALSE(tags.AllowedForSomeTag("https://*.blog.example"));
}

TEST_F(TagRingTest, ChangesAreSeenWithinTheRefreshInterval) {
  ASSERT_OK(store_.InsertTag(Tag("shop", "p1", {"https://a.example"})));
  EXPECT_TRUE(Tags().AllowedForSomeTag("https://a.example"));
  ASSERT_OK(store_.UpdateTagOrigins("shop", {"https://b.example"}, 10));
  ASSERT_OK(store_.InsertTag(Tag("new", "p2", {"https://n.example"})));
  clock_.Advance(1'999'000);
  EXPECT_TRUE(Tags().AllowedForSomeTag("https://a.example"));  // cached
  EXPECT_EQ(Tags().Find("new"), nullptr);
  EXPECT_EQ(store_.reads, 1);
  clock_.Advance(1'000);  // 2 s: read again
  EXPECT_FALSE(Tags().AllowedForSomeTag("https://a.example"));
  EXPECT_TRUE(Tags().AllowedForSomeTag("https://b.example"));
  EXPECT_NE(Tags().Find("new"), nullptr);
  EXPECT_EQ(store_.reads, 2);

  ASSERT_OK(store_.RemoveTag("shop", 20));
  clock_.Advance(2'000'000);
  EXPECT_EQ(Tags().Find("shop"), nullptr);
  EXPECT_FALSE(Tags().AllowedForSomeTag("https://b.example"));
  // A clock that went back is no reason to trust the cache: read again.
  clock_.Advance(-10'000'000);
  (void)Tags();
  EXPECT_EQ(store_.reads, 4);
}

TEST_F(TagRingTest, AnOutageKeepsTheLastTagsAndRetriesAfterTheInterval) {
  store_.fail = true;
  EXPECT_EQ(ring_.Current().status().code(), StatusCode::kUnavailable);  // nothing read yet
  store_.fail = false;
  ASSERT_OK(store_.InsertTag(Tag("shop", "p1", {"https://a.example"})));
  clock_.Advance(2'000'000);
  EXPECT_NE(Tags().Find("shop"), nullptr);
  store_.fail = true;
  clock_.Advance(2'000'000);
  EXPECT_NE(Tags().Find("shop"), nullptr);  // the last tags read
  const int reads = store_.reads;
  EXPECT_NE(Tags().Find("shop"), nullptr);
  EXPECT_EQ(store_.reads, reads);  // not hammered: the next try waits the interval
  store_.fail = false;
  clock_.Advance(2'000'000);
  EXPECT_NE(Tags().Find("shop"), nullptr);
  EXPECT_EQ(store_.reads, reads + 1);
}

TEST_F(TagRingTest, AnEmptyStoreAllowsNothing) {
  const TagRing::Snapshot& tags = Tags();
  EXPECT_EQ(tags.size(), 0u);
  EXPECT_EQ(tags.Find("x"), nullptr);
  EXPECT_FALSE(tags.AllowedForSomeTag("https://a.example"));
}

TEST(TagRingSnapshotTest, ASnapshotOutlivesTheRingsNextRead) {
  FakeTagStore store;
  ManualClock clock{1};
  TagRing ring(store, clock, std::chrono::milliseconds(1));
  ASSERT_OK(store.InsertTag(Tag("t", "p", {"https://a.example"})));
  auto first = ring.Current();
  ASSERT_OK(first);
  ASSERT_OK(store.RemoveTag("t", 2));
  clock.Advance(1'000);
  auto second = ring.Current();
  ASSERT_OK(second);
  EXPECT_EQ((*second)->Find("t"), nullptr);
  ASSERT_NE((*first)->Find("t"), nullptr);  // a request keeps the view it started with
  EXPECT_EQ((*first)->Find("t")->tag_id, "t");
}

}  // namespace
}  // namespace thrad
