#include "store/rollup.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"

namespace thrad {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1'000'000;

TEST(RollupTest, BucketsAreQuarterHoursFlooredAlsoBefore1970) {
  EXPECT_EQ(RollupBucket(0), 0);
  EXPECT_EQ(RollupBucket(kRollupBucketMicros - 1), 0);
  EXPECT_EQ(RollupBucket(kRollupBucketMicros), kRollupBucketMicros);
  EXPECT_EQ(RollupBucket(-1), -kRollupBucketMicros);
}

TEST(RollupTest, LatencyBucketsIncludeTheirUpperBound) {
  EXPECT_EQ(LatencyBucket(-1), 0);
  EXPECT_EQ(LatencyBucket(0), 1);
  EXPECT_EQ(LatencyBucket(kHour), 1);
  EXPECT_EQ(LatencyBucket(kHour + 1), 2);
  EXPECT_EQ(LatencyBucket(24 * kHour), 2);  // exactly 24 h counts in 1d
  EXPECT_EQ(LatencyBucket(7 * 24 * kHour), 3);
  EXPECT_EQ(LatencyBucket(30 * 24 * kHour), 4);
  EXPECT_EQ(LatencyBucket(30 * 24 * kHour + 1), 5);
}

TEST(RollupTest, ExactDecimalText) {
  EXPECT_EQ(FormatMicros128(0), "0");
  EXPECT_EQ(FormatMicros128(10'500'000), "10.5");
  EXPECT_EQ(FormatMicros128(1), "0.000001");
  EXPECT_EQ(FormatMicros128(-1'500'000), "-1.5");
  const Micros128 big = Micros128{1'000'000'000'000'000'000} * 100 + 7;  // past 2^63
  EXPECT_EQ(FormatMicros128(big), "100000000000000.000007");
  EXPECT_EQ(ParseMicros128("100000000000000.000007"), big);
  EXPECT_EQ(ParseMicros128("49.990000"), 49'990'000);
  EXPECT_EQ(ParseMicros128("3"), 3'000'000);
  EXPECT_FALSE(ParseMicros128("1.0000001").has_value());
  EXPECT_FALSE(ParseMicros128("x").has_value());
  EXPECT_EQ(RollupDimKey(std::nullopt), "");
  EXPECT_EQ(RollupDimKey(std::string()), "=");
  EXPECT_EQ(RollupDimValue("=abc"), "abc");
  EXPECT_EQ(RollupDimValue("="), "");
  EXPECT_EQ(RollupDimValue(""), std::nullopt);
}

TEST(RollupTest, OnlyStoredRecordsOfOkOpsCount) {
  WriteOp events = test::EventOp({test::Event("p", "t", "a"), test::Event("p", "t", "b")});
  std::get<EventWrite>(events.payload).outcomes = {WriteOutcome::kStored, WriteOutcome::kDuplicate};
  WriteOp dry = test::EventOp({test::Event("p", "t", "c")}, /*dry_run=*/true);
  std::get<EventWrite>(dry.payload).outcomes = {WriteOutcome::kStored};
  WriteOp failed = test::EventOp({test::Event("p", "t", "d")});
  std::get<EventWrite>(failed.payload).outcomes = {WriteOutcome::kStored};
  failed.status = Status::Unavailable("x");
  ConversionRecord c = test::Conversion("p", "clk", "o");
  c.click_time = c.conversion_time - 25 * kHour;
  c.campaign_id = "cmp";
  WriteOp conv = test::ConversionOp(c);
  std::get<ConversionWrite>(conv.payload).outcome = WriteOutcome::kStored;
  WriteOp conv2 = test::ConversionOp(c);
  std::get<ConversionWrite>(conv2.payload).outcome = WriteOutcome::kStored;
  RollupDelta delta;
  std::vector<WriteOp*> ops = {&events, &dry, &failed, &conv, &conv2};
  AddStoredToRollups(ops, delta);
  ASSERT_EQ(delta.events.size(), 1u);
  EXPECT_EQ(delta.events.begin()->second, 1);
  ASSERT_EQ(delta.conversions.size(), 1u);  // one group: one upsert
  const ConversionCounts& counts = delta.conversions.begin()->second;
  EXPECT_EQ(counts.conversions, 2);
  EXPECT_EQ(counts.value_micros, 2 * 49'990'000);
  EXPECT_EQ(counts.latency[3], 2);  // 25 h: in 7d
}

}  // namespace
}  // namespace thrad
