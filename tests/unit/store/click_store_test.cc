// Conformance (store_conformance.h): ClickStore: InsertClick stores every field, FindClick finds
// a partner's own click with its conversion count.
#include <gtest/gtest.h>

#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

template <typename Backend>
class ClickStoreTest : public Backend {};
TYPED_TEST_SUITE(ClickStoreTest, StoreBackends, StoreBackendNames);

TYPED_TEST(ClickStoreTest, ClicksAreUniquePerPartner) {
  ClickStore& clicks = this->store();
  ASSERT_OK(clicks.InsertClick(Click("p1", "clk_1")));
  EXPECT_EQ(clicks.InsertClick(Click("p1", "clk_1", "other")).code(), StatusCode::kAlreadyExists);
  EXPECT_OK(clicks.InsertClick(Click("p2", "clk_1")));
  EXPECT_OK(clicks.InsertClick(Click("p1", "clk_2", std::nullopt, std::nullopt)));
  EXPECT_EQ(this->Count("clicks"), 3);
}

TYPED_TEST(ClickStoreTest, InsertStoresEveryFieldAndFindReadsItBack) {
  ClickStore& clicks = this->store();
  const ClickRecord full = FullClick("p1", "clk_full");
  ASSERT_OK(clicks.InsertClick(full));
  ASSERT_OK(clicks.InsertClick(Click("p1", "clk_bare", std::nullopt, std::nullopt)));

  auto found = clicks.FindClick("p1", "clk_full");
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  const ClickRecord& c = (*found)->click;
  EXPECT_EQ(c.partner_id, "p1");
  EXPECT_EQ(c.click_id, "clk_full");
  EXPECT_EQ(c.bid_id, "bid_1");
  EXPECT_EQ(c.campaign_id, "cmp_1");
  EXPECT_EQ(c.created_at, full.created_at);
  EXPECT_EQ(c.tag_id, "pub_001");
  EXPECT_EQ(c.landing_url, "https://shop.example.com/landing?a=1");
  EXPECT_EQ(c.client_ip, "198.51.100.4");
  EXPECT_EQ(c.user_agent, "UA/2.0");
  EXPECT_EQ(c.referrer, "https://pub.example/");
  EXPECT_EQ(c.exp, 1779299000);
  EXPECT_EQ(c.source, "redirect");
  EXPECT_EQ(c.filter_reason, "prefetch");
  EXPECT_EQ((*found)->conversions, 0u);

  auto bare = clicks.FindClick("p1", "clk_bare");
  ASSERT_OK(bare);
  ASSERT_TRUE(bare->has_value());
  EXPECT_EQ((*bare)->click.bid_id, std::nullopt);
  EXPECT_EQ((*bare)->click.tag_id, std::nullopt);
  EXPECT_EQ((*bare)->click.exp, std::nullopt);
  EXPECT_EQ((*bare)->click.source, "cli");
  EXPECT_EQ((*bare)->click.filter_reason, std::nullopt);
}

TYPED_TEST(ClickStoreTest, FindIsPerPartnerAndCountsTheClicksConversions) {
  ClickStore& clicks = this->store();
  ASSERT_OK(clicks.InsertClick(Click("p1", "clk_1")));
  ASSERT_OK(clicks.InsertClick(Click("p2", "clk_2")));
  ASSERT_OK(clicks.InsertClick(Click("p2", "clk_1")));
  WriteOp a = ConversionOp(Conversion("p1", "clk_1", "k1"));
  WriteOp b = ConversionOp(Conversion("p1", "clk_1", std::nullopt));
  WriteOp c = ConversionOp(Conversion("p1", "clk_1", "k1"));  // a duplicate: not stored
  WriteOp d = ConversionOp(Conversion("p2", "clk_1", "k1"));  // the other partner's click_1
  this->Commit({&a, &b, &c, &d});
  EXPECT_EQ(Conv(c).outcome, WriteOutcome::kDuplicate);

  auto mine = clicks.FindClick("p1", "clk_1");
  ASSERT_OK(mine);
  ASSERT_TRUE(mine->has_value());
  EXPECT_EQ((*mine)->click.partner_id, "p1");
  EXPECT_EQ((*mine)->conversions, 2u);

  auto theirs = clicks.FindClick("p1", "clk_2");  // p2's click
  ASSERT_OK(theirs);
  EXPECT_FALSE(theirs->has_value());
  auto none = clicks.FindClick("p1", "clk_none");
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  auto other = clicks.FindClick("p2", "clk_1");
  ASSERT_OK(other);
  ASSERT_TRUE(other->has_value());
  EXPECT_EQ((*other)->conversions, 1u);
}

}  // namespace
}  // namespace thrad::test
