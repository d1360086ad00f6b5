// Conformance (store_conformance.h): WriteStore::CommitBatch for clicks: stored, duplicates
// answered with the stored click (against stored rows and within a batch), dry runs, a click and
// its conversion in one batch, the conversion's click_time, and an op that fails alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

using ::testing::ElementsAre;

// Every field, so a test can say "the same click".
std::vector<std::string> Fields(const ClickRecord& c) {
  auto text = [](const std::optional<std::string>& v) { return v.value_or("<null>"); };
  return {c.partner_id,
          c.click_id,
          text(c.bid_id),
          text(c.campaign_id),
          std::to_string(c.created_at),
          text(c.tag_id),
          text(c.landing_url),
          text(c.client_ip),
          text(c.user_agent),
          text(c.referrer),
          c.exp ? std::to_string(*c.exp) : "<null>",
          c.source,
          text(c.filter_reason)};
}

template <typename Backend>
class WriteStoreClicksTest : public Backend {};
TYPED_TEST_SUITE(WriteStoreClicksTest, StoreBackends, StoreBackendNames);

TYPED_TEST(WriteStoreClicksTest, StoredWithEveryFieldThenDuplicateWithTheStoredValues) {
  const ClickRecord first = FullClick("p1", "clk_1");
  WriteOp op = ClickOp({first});
  this->Commit({&op});
  EXPECT_OK(op.status);
  EXPECT_THAT(Clicks(op).outcomes, ElementsAre(WriteOutcome::kStored));
  auto found = this->store().FindClick("p1", "clk_1");
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(Fields((*found)->click), Fields(first));

  // The same identity again, with other values: nothing is written, and the record becomes
  // the stored click.
  ClickRecord other = Click("p1", "clk_1", "bid_other", std::nullopt);
  other.source = "api";
  other.exp = 1;
  WriteOp again = ClickOp({other, Click("p1", "clk_2")});
  this->Commit({&again});
  EXPECT_OK(again.status);
  EXPECT_THAT(Clicks(again).outcomes, ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kStored));
  EXPECT_EQ(Fields(Clicks(again).clicks[0]), Fields(first));
  EXPECT_EQ(Clicks(again).clicks[1].click_id, "clk_2");
  EXPECT_EQ(this->Count("clicks"), 2);
  EXPECT_EQ(this->Count("clicks WHERE bid_id = 'bid_other'"), 0);
}

TYPED_TEST(WriteStoreClicksTest, ClickIdsAreUniquePerPartner) {
  WriteOp op = ClickOp({Click("p1", "clk_1"), Click("p2", "clk_1")});
  this->Commit({&op});
  EXPECT_THAT(Clicks(op).outcomes, ElementsAre(WriteOutcome::kStored, WriteOutcome::kStored));
  EXPECT_EQ(this->Count("clicks"), 2);
}

// Within a batch the first click of an identity is stored (in one op or across ops); later ones
// are its duplicates and get its values.
TYPED_TEST(WriteStoreClicksTest, TheFirstOfAnIdentityInABatchWins) {
  ClickRecord first = Click("p1", "clk_1", "bid_first");
  ClickRecord second = Click("p1", "clk_1", "bid_second");
  ClickRecord third = Click("p1", "clk_1", "bid_third");
  WriteOp a = ClickOp({first, Click("p1", "clk_2"), second});
  WriteOp b = ClickOp({third});
  this->Commit({&a, &b});
  EXPECT_OK(a.status);
  EXPECT_OK(b.status);
  EXPECT_THAT(Clicks(a).outcomes,
              ElementsAre(WriteOutcome::kStored, WriteOutcome::kStored, WriteOutcome::kDuplicate));
  EXPECT_THAT(Clicks(b).outcomes, ElementsAre(WriteOutcome::kDuplicate));
  EXPECT_EQ(Clicks(a).clicks[2].bid_id, "bid_first");
  EXPECT_EQ(Clicks(b).clicks[0].bid_id, "bid_first");
  EXPECT_EQ(this->Count("clicks"), 2);
  EXPECT_EQ(this->Count("clicks WHERE bid_id = 'bid_first'"), 1);
}

TYPED_TEST(WriteStoreClicksTest, DryRunDecidesWithTheStoredValuesButWritesNothing) {
  const ClickRecord stored = FullClick("p1", "clk_1");
  WriteOp first = ClickOp({stored});
  this->Commit({&first});

  WriteOp dry = ClickOp({Click("p1", "clk_1", "bid_x"), Click("p1", "clk_new")}, true);
  this->Commit({&dry});
  EXPECT_OK(dry.status);
  EXPECT_THAT(Clicks(dry).outcomes, ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kStored));
  EXPECT_EQ(Fields(Clicks(dry).clicks[0]), Fields(stored));
  EXPECT_EQ(Clicks(dry).clicks[1].bid_id, "bid_1");
  EXPECT_EQ(this->Count("clicks"), 1);
}

// A conversion finds a click committed in the same batch, even when its op comes first, and
// keeps the click's clicked_at as click_time.
TYPED_TEST(WriteStoreClicksTest, AClickAndItsConversionInOneBatch) {
  ClickRecord click = Click("p1", "clk_1", "bid_7", "cmp_42");
  click.created_at = 1771523000123456;
  WriteOp conv_before = ConversionOp(Conversion("p1", "clk_1", "k1"));
  WriteOp clicks = ClickOp({click});
  WriteOp conv_after = ConversionOp(Conversion("p1", "clk_1", "k2"));
  WriteOp dry = ConversionOp(Conversion("p1", "clk_1", "k3"), true);
  WriteOp missing = ConversionOp(Conversion("p1", "clk_none", "k4"));
  this->Commit({&conv_before, &clicks, &conv_after, &dry, &missing});
  EXPECT_THAT(Clicks(clicks).outcomes, ElementsAre(WriteOutcome::kStored));
  for (const WriteOp* op : {&conv_before, &conv_after, &dry}) {
    EXPECT_OK(op->status);
    EXPECT_EQ(Conv(*op).outcome, WriteOutcome::kStored);
    EXPECT_EQ(Conv(*op).conversion.bid_id, "bid_7");
    EXPECT_EQ(Conv(*op).conversion.campaign_id, "cmp_42");
    EXPECT_EQ(Conv(*op).conversion.click_time, 1771523000123456);
  }
  EXPECT_EQ(Conv(missing).outcome, WriteOutcome::kClickNotFound);
  EXPECT_EQ(Conv(missing).conversion.click_time, std::nullopt);
  EXPECT_EQ(this->Count("conversions"), 2);
  EXPECT_EQ(this->Count("conversions WHERE click_time = 1771523000123456"), 2);
}

TYPED_TEST(WriteStoreClicksTest, ConversionsKeepTheClickTimeOfAClickStoredBefore) {
  ClickRecord click = Click("p1", "clk_1");
  click.created_at = 1771523000000042;
  ASSERT_OK(this->store().InsertClick(click));
  WriteOp conv = ConversionOp(Conversion("p1", "clk_1", std::nullopt));
  this->Commit({&conv});
  EXPECT_EQ(Conv(conv).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(conv).conversion.click_time, 1771523000000042);
  EXPECT_EQ(this->Count("conversions WHERE click_time = 1771523000000042"), 1);
}

TYPED_TEST(WriteStoreClicksTest, OneFailingClickOpFailsAloneAndIsRolledBack) {
  this->FailInsertsOfClicksTagged("poison");
  ClickRecord poison = Click("p1", "clk_3");
  poison.tag_id = "poison";
  WriteOp ok1 = ClickOp({Click("p1", "clk_1")});
  // The first click of the failing op is written before the second fails: both roll back.
  WriteOp bad = ClickOp({Click("p1", "clk_2"), poison});
  WriteOp ok2 = ClickOp({Click("p1", "clk_4")});
  WriteOp events = EventOp({Event("p1", "site:a", "e1")});
  WriteOp conv = ConversionOp(Conversion("p1", "clk_1", "k"));
  this->Commit({&ok1, &bad, &ok2, &events, &conv});

  EXPECT_OK(ok1.status);
  EXPECT_OK(ok2.status);
  EXPECT_OK(events.status);
  EXPECT_OK(conv.status);
  EXPECT_EQ(Conv(conv).outcome, WriteOutcome::kStored);
  EXPECT_EQ(bad.status.code(), StatusCode::kInternal);
  EXPECT_THAT(Clicks(bad).outcomes, ElementsAre(WriteOutcome::kPending, WriteOutcome::kPending));
  EXPECT_EQ(this->Count("clicks"), 2);
  EXPECT_EQ(this->Count("clicks WHERE click_id = 'clk_2'"), 0);
  EXPECT_EQ(this->Count("events"), 1);
}

}  // namespace
}  // namespace thrad::test
