// Conformance (store_conformance.h): TagStore: tag ids unique across partners and removals,
// origins kept in order, updates and removals, the active tags for TagRing.
#include <gtest/gtest.h>

#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

TagRecord MakeTag(std::string tag_id, std::string partner_id, std::vector<std::string> origins,
                  UnixMicros created_at) {
  TagRecord t;
  t.tag_id = std::move(tag_id);
  t.partner_id = std::move(partner_id);
  t.origins = std::move(origins);
  t.created_at = created_at;
  t.updated_at = created_at;
  return t;
}

std::vector<std::string> Ids(const std::vector<TagRecord>& tags) {
  std::vector<std::string> ids;
  for (const TagRecord& t : tags) ids.push_back(t.tag_id);
  return ids;
}

template <typename Backend>
class TagStoreTest : public Backend {};
TYPED_TEST_SUITE(TagStoreTest, StoreBackends, StoreBackendNames);

TYPED_TEST(TagStoreTest, InsertAndListKeepEveryFieldAndOrderByCreation) {
  TagStore& tags = this->store();
  ASSERT_OK(tags.InsertTag(
      MakeTag("shop.web", "p1", {"https://shop.example.com", "https://*.example.com"}, 20)));
  ASSERT_OK(tags.InsertTag(MakeTag("a:1", "p2", {"http://[::1]:8080"}, 10)));
  ASSERT_OK(tags.InsertTag(MakeTag("b-2", "p1", {"https://b.example"}, 20)));

  auto all = tags.ListTags(std::nullopt);
  ASSERT_OK(all);
  EXPECT_EQ(Ids(*all), (std::vector<std::string>{"a:1", "b-2", "shop.web"}));  // created, id
  const TagRecord& shop = (*all)[2];
  EXPECT_EQ(shop.partner_id, "p1");
  EXPECT_EQ(shop.origins,
            (std::vector<std::string>{"https://shop.example.com", "https://*.example.com"}));
  EXPECT_EQ(shop.created_at, 20);
  EXPECT_EQ(shop.updated_at, 20);
  EXPECT_EQ(shop.removed_at, std::nullopt);
  EXPECT_TRUE(shop.active());

  auto p1 = tags.ListTags("p1");
  ASSERT_OK(p1);
  EXPECT_EQ(Ids(*p1), (std::vector<std::string>{"b-2", "shop.web"}));
  auto none = tags.ListTags("p-none");
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TYPED_TEST(TagStoreTest, ATagIdIsTakenForEveryPartnerEvenAfterItsRemoval) {
  TagStore& tags = this->store();
  ASSERT_OK(tags.InsertTag(MakeTag("t1", "p1", {"https://a.example"}, 1)));
  EXPECT_EQ(tags.InsertTag(MakeTag("t1", "p1", {"https://b.example"}, 2)).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(tags.InsertTag(MakeTag("t1", "p2", {"https://b.example"}, 2)).code(),
            StatusCode::kAlreadyExists);
  ASSERT_OK(tags.RemoveTag("t1", 3));
  EXPECT_EQ(tags.InsertTag(MakeTag("t1", "p2", {"https://b.example"}, 4)).code(),
            StatusCode::kAlreadyExists);
  // Tag ids compare byte for byte: another case is another tag.
  ASSERT_OK(tags.InsertTag(MakeTag("T1", "p2", {"https://b.example"}, 5)));

  auto all = tags.ListTags(std::nullopt);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].partner_id, "p1");
  EXPECT_EQ((*all)[0].origins, std::vector<std::string>{"https://a.example"});
}

TYPED_TEST(TagStoreTest, UpdateReplacesOriginsOfAnActiveTagOnly) {
  TagStore& tags = this->store();
  ASSERT_OK(tags.InsertTag(MakeTag("t1", "p1", {"https://a.example"}, 10)));
  ASSERT_OK(tags.UpdateTagOrigins("t1", {"https://b.example", "https://*.c.example"}, 50));
  auto list = tags.ListTags(std::nullopt);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].origins,
            (std::vector<std::string>{"https://b.example", "https://*.c.example"}));
  EXPECT_EQ((*list)[0].created_at, 10);
  EXPECT_EQ((*list)[0].updated_at, 50);

  EXPECT_EQ(tags.UpdateTagOrigins("t-none", {"https://b.example"}, 60).code(),
            StatusCode::kNotFound);
  ASSERT_OK(tags.RemoveTag("t1", 70));
  EXPECT_EQ(tags.UpdateTagOrigins("t1", {"https://z.example"}, 80).code(),
            StatusCode::kInvalidArgument);
  list = tags.ListTags(std::nullopt);
  ASSERT_OK(list);
  EXPECT_EQ((*list)[0].origins[0], "https://b.example");  // unchanged
  EXPECT_EQ((*list)[0].updated_at, 50);
}

TYPED_TEST(TagStoreTest, RemoveKeepsTheRowAndTheFirstTimeAndHidesTheTagFromActive) {
  TagStore& tags = this->store();
  ASSERT_OK(tags.InsertTag(MakeTag("t2", "p1", {"https://a.example"}, 1)));
  ASSERT_OK(tags.InsertTag(MakeTag("t1", "p2", {"https://b.example"}, 2)));
  ASSERT_OK(tags.InsertTag(MakeTag("t3", "p1", {"https://c.example"}, 3)));
  auto active = tags.ListActiveTags();
  ASSERT_OK(active);
  EXPECT_EQ(Ids(*active), (std::vector<std::string>{"t1", "t2", "t3"}));  // by tag_id

  ASSERT_OK(tags.RemoveTag("t2", 100));
  ASSERT_OK(tags.RemoveTag("t2", 200));  // twice: keeps the first time
  EXPECT_EQ(tags.RemoveTag("t-none", 1).code(), StatusCode::kNotFound);
  active = tags.ListActiveTags();
  ASSERT_OK(active);
  EXPECT_EQ(Ids(*active), (std::vector<std::string>{"t1", "t3"}));
  EXPECT_EQ((*active)[0].origins, std::vector<std::string>{"https://b.example"});

  auto all = tags.ListTags("p1");
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].tag_id, "t2");
  EXPECT_EQ((*all)[0].removed_at, 100);
  EXPECT_FALSE((*all)[0].active());
  EXPECT_EQ((*all)[0].origins, std::vector<std::string>{"https://a.example"});
}

TYPED_TEST(TagStoreTest, HundredOriginsOfAnyLengthRoundTrip) {
  TagStore& tags = this->store();
  std::vector<std::string> origins;
  for (int i = 0; i < 100; ++i) {
    origins.push_back("https://" + std::string(60, static_cast<char>('a' + i % 26)) + "." +
                      std::to_string(i) + ".example:" + std::to_string(1000 + i));
  }
  ASSERT_OK(tags.InsertTag(MakeTag(std::string(256, 'x'), "p1", origins, 1)));
  auto active = tags.ListActiveTags();
  ASSERT_OK(active);
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].tag_id, std::string(256, 'x'));
  EXPECT_EQ((*active)[0].origins, origins);
}

TYPED_TEST(TagStoreTest, AnEmptyStoreHasNoTags) {
  auto all = this->store().ListTags(std::nullopt);
  ASSERT_OK(all);
  EXPECT_TRUE(all->empty());
  auto active = this->store().ListActiveTags();
  ASSERT_OK(active);
  EXPECT_TRUE(active->empty());
}

}  // namespace
}  // namespace thrad::test
