// Conformance (store_conformance.h): WriteStore::CommitBatch for conversions: click ownership,
// idempotency (duplicate or payload mismatch, in the batch and against stored rows), dry runs.
#include <gtest/gtest.h>

#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

template <typename Backend>
class WriteStoreConversionsTest : public Backend {
 protected:
  void SetUp() override {
    Backend::SetUp();
    if (this->IsSkipped() || this->HasFatalFailure()) return;
    ASSERT_OK(this->store().InsertClick(Click("p1", "clk_1")));
    ASSERT_OK(this->store().InsertClick(Click("p1", "clk_nobid", std::nullopt)));
    ASSERT_OK(this->store().InsertClick(Click("p2", "clk_2", "bid_2", std::nullopt)));
  }

  // Commits `c` alone and returns its outcome.
  WriteOutcome Write(ConversionRecord c, bool dry_run = false) {
    WriteOp op = ConversionOp(std::move(c), dry_run);
    this->Commit({&op});
    EXPECT_OK(op.status);
    return Conv(op).outcome;
  }
};
TYPED_TEST_SUITE(WriteStoreConversionsTest, StoreBackends, StoreBackendNames);

TYPED_TEST(WriteStoreConversionsTest, StoredCopiesBidAndCampaignFromTheClick) {
  WriteOp op = ConversionOp(Conversion("p1", "clk_1", "idem-1"));
  this->Commit({&op});
  EXPECT_EQ(Conv(op).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(op).conversion.bid_id, "bid_1");
  EXPECT_EQ(Conv(op).conversion.campaign_id, "cmp_1");
  EXPECT_EQ(this->Count("conversions WHERE bid_id = 'bid_1' AND campaign_id = 'cmp_1'"), 1);
}

TYPED_TEST(WriteStoreConversionsTest, SamePayloadIsDuplicate) {
  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", "idem-1")), WriteOutcome::kStored);
  ConversionRecord again = Conversion("p1", "clk_1", "idem-1");
  again.received_at += 5;        // not part of the payload
  again.page_url = "https://x";  // nor is this
  EXPECT_EQ(this->Write(again), WriteOutcome::kDuplicate);
  EXPECT_EQ(this->Count("conversions"), 1);
}

TYPED_TEST(WriteStoreConversionsTest, DifferentPayloadIsMismatch) {
  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", "idem-1")), WriteOutcome::kStored);
  ConversionRecord value = Conversion("p1", "clk_1", "idem-1");
  value.value_micros += 1;
  EXPECT_EQ(this->Write(value), WriteOutcome::kPayloadMismatch);
  ConversionRecord currency = Conversion("p1", "clk_1", "idem-1");
  currency.currency = "EUR";
  EXPECT_EQ(this->Write(currency), WriteOutcome::kPayloadMismatch);
  ConversionRecord time = Conversion("p1", "clk_1", "idem-1");
  time.conversion_time += 1;
  EXPECT_EQ(this->Write(time), WriteOutcome::kPayloadMismatch);
  ConversionRecord order = Conversion("p1", "clk_1", "idem-1");
  order.order_id = "o-9";
  EXPECT_EQ(this->Write(order), WriteOutcome::kPayloadMismatch);
  EXPECT_EQ(this->Count("conversions"), 1);
}

// Within a batch the first record of an identity is the one inserted; later ones are its
// duplicates or payload mismatches, and those of a stored identity compare with the stored row.
TYPED_TEST(WriteStoreConversionsTest, DuplicatesWithinOneBatchAgainstNewAndExistingRows) {
  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", "old")), WriteOutcome::kStored);
  ConversionRecord changed = Conversion("p1", "clk_1", "idem-1");
  changed.value_micros = 1;
  WriteOp a = ConversionOp(Conversion("p1", "clk_1", "idem-1"));
  WriteOp b = ConversionOp(Conversion("p1", "clk_1", "idem-1"));
  WriteOp c = ConversionOp(changed);
  ConversionRecord old_changed = Conversion("p1", "clk_1", "old");
  old_changed.currency = "EUR";
  WriteOp d = ConversionOp(Conversion("p1", "clk_1", "old"));
  WriteOp e = ConversionOp(old_changed);
  WriteOp f = ConversionOp(Conversion("p1", "clk_1", "idem-1"), /*dry_run=*/true);
  this->Commit({&a, &b, &c, &d, &e, &f});
  EXPECT_EQ(Conv(a).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(b).outcome, WriteOutcome::kDuplicate);
  EXPECT_EQ(Conv(c).outcome, WriteOutcome::kPayloadMismatch);
  EXPECT_EQ(Conv(d).outcome, WriteOutcome::kDuplicate);
  EXPECT_EQ(Conv(e).outcome, WriteOutcome::kPayloadMismatch);
  EXPECT_EQ(Conv(f).outcome, WriteOutcome::kDuplicate);
  EXPECT_EQ(this->Count("conversions"), 2);
}

// TAG.md section 5: a browser conversion (no key: FromTag) and a server one of the same
// identity count once whatever their payloads, in either order, in one batch or not; the
// payload mismatch stays a rule between two server conversions.
TYPED_TEST(WriteStoreConversionsTest, BrowserAndServerConversionsOfOneIdentityCountOnce) {
  auto browser = [](const char* key) {
    ConversionRecord c = Conversion("p1", "clk_1", key);
    c.key_id.clear();
    c.value_micros += 7;
    return c;
  };
  EXPECT_EQ(this->Write(browser("o-1")), WriteOutcome::kStored);
  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", "o-1")), WriteOutcome::kDuplicate);
  ConversionRecord changed = browser("o-1");
  changed.currency = "EUR";
  EXPECT_EQ(this->Write(changed), WriteOutcome::kDuplicate);  // two browsers: no 422 either
  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", "o-2")), WriteOutcome::kStored);
  EXPECT_EQ(this->Write(browser("o-2")), WriteOutcome::kDuplicate);
  ConversionRecord server_changed = Conversion("p1", "clk_1", "o-2");
  server_changed.value_micros += 1;
  EXPECT_EQ(this->Write(server_changed), WriteOutcome::kPayloadMismatch);
  // In one batch: the first is inserted, the other source's is its duplicate.
  WriteOp a = ConversionOp(Conversion("p1", "clk_1", "o-3"));
  WriteOp b = ConversionOp(browser("o-3"));
  WriteOp c = ConversionOp(browser("o-4"));
  WriteOp d = ConversionOp(Conversion("p1", "clk_1", "o-4"));
  this->Commit({&a, &b, &c, &d});
  EXPECT_EQ(Conv(a).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(b).outcome, WriteOutcome::kDuplicate);
  EXPECT_EQ(Conv(c).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(d).outcome, WriteOutcome::kDuplicate);
  EXPECT_EQ(this->Count("conversions"), 4);
  EXPECT_EQ(this->Count("conversions WHERE key_id = ''"), 2);
}

TYPED_TEST(WriteStoreConversionsTest, ClickNotFoundIncludingOtherPartnersClick) {
  EXPECT_EQ(this->Write(Conversion("p1", "clk_missing", "k")), WriteOutcome::kClickNotFound);
  EXPECT_EQ(this->Write(Conversion("p1", "clk_2", "k")), WriteOutcome::kClickNotFound);
  EXPECT_EQ(this->Write(Conversion("p2", "clk_1", "k")), WriteOutcome::kClickNotFound);
  EXPECT_EQ(this->Count("conversions"), 0);
}

TYPED_TEST(WriteStoreConversionsTest, ClickWithoutBid) {
  EXPECT_EQ(this->Write(Conversion("p1", "clk_nobid", "k")), WriteOutcome::kClickMissingBid);
  EXPECT_EQ(this->Count("conversions"), 0);
}

TYPED_TEST(WriteStoreConversionsTest, NewEventTypeIsNewIdentity) {
  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", "k")), WriteOutcome::kStored);
  ConversionRecord signup = Conversion("p1", "clk_1", "k");
  signup.event_type = "signup";
  EXPECT_EQ(this->Write(signup), WriteOutcome::kStored);
  EXPECT_EQ(this->Count("conversions"), 2);
}

TYPED_TEST(WriteStoreConversionsTest, NullDedupKeyIsAlwaysNew) {
  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", std::nullopt)), WriteOutcome::kStored);
  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", std::nullopt)), WriteOutcome::kStored);
  WriteOp a = ConversionOp(Conversion("p1", "clk_1", std::nullopt));
  WriteOp b = ConversionOp(Conversion("p1", "clk_1", std::nullopt));
  this->Commit({&a, &b});
  EXPECT_EQ(Conv(a).outcome, WriteOutcome::kStored);
  EXPECT_EQ(Conv(b).outcome, WriteOutcome::kStored);
  EXPECT_EQ(this->Count("conversions"), 4);
}

TYPED_TEST(WriteStoreConversionsTest, SameKeyOtherPartnerIsIndependent) {
  ASSERT_OK(this->store().InsertClick(Click("p2", "clk_1")));
  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", "k")), WriteOutcome::kStored);
  ConversionRecord other = Conversion("p2", "clk_1", "k");
  other.value_micros = 7;
  EXPECT_EQ(this->Write(other), WriteOutcome::kStored);
  EXPECT_EQ(this->Count("conversions"), 2);
}

TYPED_TEST(WriteStoreConversionsTest, DryRunDecidesButWritesNothing) {
  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", "k"), true), WriteOutcome::kStored);
  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", std::nullopt), true), WriteOutcome::kStored);
  EXPECT_EQ(this->Write(Conversion("p1", "clk_x", "k"), true), WriteOutcome::kClickNotFound);
  EXPECT_EQ(this->Write(Conversion("p1", "clk_nobid", "k"), true), WriteOutcome::kClickMissingBid);
  EXPECT_EQ(this->Count("conversions"), 0);

  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", "k")), WriteOutcome::kStored);
  EXPECT_EQ(this->Write(Conversion("p1", "clk_1", "k"), true), WriteOutcome::kDuplicate);
  ConversionRecord changed = Conversion("p1", "clk_1", "k");
  changed.currency = "EUR";
  EXPECT_EQ(this->Write(changed, true), WriteOutcome::kPayloadMismatch);
  EXPECT_EQ(this->Count("conversions"), 1);
}

}  // namespace
}  // namespace thrad::test
