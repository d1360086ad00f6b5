// SqliteStore::CommitBatch for conversions: click ownership and idempotency.
#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

class SqliteConversionTest : public SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    ASSERT_OK(store_->InsertClick(Click("p1", "clk_1")));
    ASSERT_OK(store_->InsertClick(Click("p1", "clk_nobid", std::nullopt)));
    ASSERT_OK(store_->InsertClick(Click("p2", "clk_2", "bid_2", std::nullopt)));
  }

  WriteOutcome Write(ConversionRecord c, bool dry_run = false) {
    WriteOp op = ConversionOp(std::move(c), dry_run);
    Commit({&op});
    EXPECT_OK(op.status) << op.status.ToString();
    return Conv(op).outcome;
  }
};

TEST_F(SqliteConversionTest, StoredCopiesBidAndCampaignFromTheClick) {
  WriteOp op = ConversionOp(Conversion("p1", "clk_1", "idem-1"));
  Commit({&op});
  EXPECT_EQ(Conv(op).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(op).conversion.bid_id, "bid_1");
  EXPECT_EQ(Conv(op).conversion.campaign_id, "cmp_1");
  EXPECT_EQ(Count("conversions WHERE bid_id = 'bid_1' AND campaign_id = 'cmp_1'"), 1);
}

TEST_F(SqliteConversionTest, SamePayloadIsDuplicate) {
  EXPECT_EQ(Write(Conversion("p1", "clk_1", "idem-1")), WriteOutcome::kStored);
  ConversionRecord again = Conversion("p1", "clk_1", "idem-1");
  again.received_at += 5;        // not part of the payload
  again.page_url = "https://x";  // nor is this
  EXPECT_EQ(Write(again), WriteOutcome::kDuplicate);
  EXPECT_EQ(Count("conversions"), 1);
}

TEST_F(SqliteConversionTest, DifferentPayloadIsMismatch) {
  EXPECT_EQ(Write(Conversion("p1", "clk_1", "idem-1")), WriteOutcome::kStored);
  ConversionRecord value = Conversion("p1", "clk_1", "idem-1");
  value.value_micros += 1;
  EXPECT_EQ(Write(value), WriteOutcome::kPayloadMismatch);
  ConversionRecord currency = Conversion("p1", "clk_1", "idem-1");
  currency.currency = "EUR";
  EXPECT_EQ(Write(currency), WriteOutcome::kPayloadMismatch);
  ConversionRecord time = Conversion("p1", "clk_1", "idem-1");
  time.conversion_time += 1;
  EXPECT_EQ(Write(time), WriteOutcome::kPayloadMismatch);
  ConversionRecord order = Conversion("p1", "clk_1", "idem-1");
  order.order_id = "o-9";
  EXPECT_EQ(Write(order), WriteOutcome::kPayloadMismatch);
  EXPECT_EQ(Count("conversions"), 1);
}

TEST_F(SqliteConversionTest, DuplicateWithinOneBatch) {
  WriteOp a = ConversionOp(Conversion("p1", "clk_1", "idem-1"));
  WriteOp b = ConversionOp(Conversion("p1", "clk_1", "idem-1"));
  ConversionRecord changed = Conversion("p1", "clk_1", "idem-1");
  changed.value_micros = 1;
  WriteOp c = ConversionOp(changed);
  Commit({&a, &b, &c});
  EXPECT_EQ(Conv(a).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(b).outcome, WriteOutcome::kDuplicate);
  EXPECT_EQ(Conv(c).outcome, WriteOutcome::kPayloadMismatch);
  EXPECT_EQ(Count("conversions"), 1);
}

TEST_F(SqliteConversionTest, ClickNotFoundIncludingOtherPartnersClick) {
  EXPECT_EQ(Write(Conversion("p1", "clk_missing", "k")), WriteOutcome::kClickNotFound);
  EXPECT_EQ(Write(Conversion("p1", "clk_2", "k")), WriteOutcome::kClickNotFound);
  EXPECT_EQ(Write(Conversion("p2", "clk_1", "k")), WriteOutcome::kClickNotFound);
  EXPECT_EQ(Count("conversions"), 0);
}

TEST_F(SqliteConversionTest, ClickWithoutBid) {
  EXPECT_EQ(Write(Conversion("p1", "clk_nobid", "k")), WriteOutcome::kClickMissingBid);
  EXPECT_EQ(Count("conversions"), 0);
}

TEST_F(SqliteConversionTest, NewEventTypeIsNewIdentity) {
  EXPECT_EQ(Write(Conversion("p1", "clk_1", "k")), WriteOutcome::kStored);
  ConversionRecord signup = Conversion("p1", "clk_1", "k");
  signup.event_type = "signup";
  EXPECT_EQ(Write(signup), WriteOutcome::kStored);
  EXPECT_EQ(Count("conversions"), 2);
}

TEST_F(SqliteConversionTest, NullDedupKeyIsAlwaysNew) {
  EXPECT_EQ(Write(Conversion("p1", "clk_1", std::nullopt)), WriteOutcome::kStored);
  EXPECT_EQ(Write(Conversion("p1", "clk_1", std::nullopt)), WriteOutcome::kStored);
  WriteOp a = ConversionOp(Conversion("p1", "clk_1", std::nullopt));
  WriteOp b = ConversionOp(Conversion("p1", "clk_1", std::nullopt));
  Commit({&a, &b});
  EXPECT_EQ(Conv(a).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(b).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Count("conversions"), 4);
}

TEST_F(SqliteConversionTest, SameKeyOtherPartnerIsIndependent) {
  ASSERT_OK(store_->InsertClick(Click("p2", "clk_1")));
  EXPECT_EQ(Write(Conversion("p1", "clk_1", "k")), WriteOutcome::kStored);
  ConversionRecord other = Conversion("p2", "clk_1", "k");
  other.value_micros = 7;
  EXPECT_EQ(Write(other), WriteOutcome::kStored);
  EXPECT_EQ(Count("conversions"), 2);
}

TEST_F(SqliteConversionTest, DryRunDecidesButWritesNothing) {
  EXPECT_EQ(Write(Conversion("p1", "clk_1", "k"), true), WriteOutcome::kStored);
  EXPECT_EQ(Write(Conversion("p1", "clk_1", std::nullopt), true), WriteOutcome::kStored);
  EXPECT_EQ(Write(Conversion("p1", "clk_x", "k"), true), WriteOutcome::kClickNotFound);
  EXPECT_EQ(Write(Conversion("p1", "clk_nobid", "k"), true), WriteOutcome::kClickMissingBid);
  EXPECT_EQ(Count("conversions"), 0);

  EXPECT_EQ(Write(Conversion("p1", "clk_1", "k")), WriteOutcome::kStored);
  EXPECT_EQ(Write(Conversion("p1", "clk_1", "k"), true), WriteOutcome::kDuplicate);
  ConversionRecord changed = Conversion("p1", "clk_1", "k");
  changed.currency = "EUR";
  EXPECT_EQ(Write(changed, true), WriteOutcome::kPayloadMismatch);
  EXPECT_EQ(Count("conversions"), 1);
}

}  // namespace
}  // namespace thrad::test
