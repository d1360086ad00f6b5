#include "http/report_slices.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "http/report_rows.h"

namespace thrad {
namespace {

using Slice = ReportSlicer::Slice;

// Reads every slice of `periods` periods holding `per_period(i)` groups in period i, writing
// up to `max_rows` rows as the report handler does; returns the slices read (not those that
// overflowed: they are counted) and the rows written.
struct SliceRun {
  std::vector<Slice> slices;
  size_t written = 0;
  bool truncated = false;
  size_t overflows = 0;
};
template <typename PerPeriod>
SliceRun ReadAll(size_t periods, PerPeriod per_period, size_t max_rows) {
  SliceRun run;
  ReportSlicer slicer(periods);
  while (auto slice = slicer.Next()) {
    size_t groups = 0;
    for (size_t i = slice->begin; i < slice->end; ++i) groups += per_period(i);
    if (slicer.MayOverflow() && groups > ReportSlicer::kMaxSliceGroups) {
      ++run.overflows;
      slicer.Overflowed();
      continue;
    }
    EXPECT_LE(groups, std::max<size_t>(ReportSlicer::kMaxSliceGroups, per_period(slice->begin)));
    run.slices.push_back(*slice);
    const size_t wanted = max_rows - run.written;
    if (groups > wanted) {
      run.truncated = true;
      run.written = max_rows;
      break;
    }
    run.written += groups;
    slicer.Read(groups, max_rows - run.written);
  }
  return run;
}

// The slices read cover periods [0, upto) in order, each once.
void ExpectCoverInOrder(const SliceRun& run, size_t upto) {
  size_t next = 0;
  for (const Slice& s : run.slices) {
    ASSERT_LT(s.begin, s.end);
    ASSERT_EQ(s.begin, next);
    next = s.end;
  }
  EXPECT_EQ(next, upto);
}

TEST(ReportSlicerTest, AMonthOfDaysIsOneRead) {
  const SliceRun run = ReadAll(
      30, [](size_t) { return 200; }, 10'000);
  ASSERT_EQ(run.slices.size(), 1u);
  EXPECT_EQ(run.slices[0], (Slice{0, 30}));
  EXPECT_EQ(run.written, 6'000u);
  EXPECT_FALSE(run.truncated);
}

TEST(ReportSlicerTest, NoPeriodsIsOneReadOfTheWholeRange) {
  ReportSlicer slicer(0);
  ASSERT_TRUE(slicer.Next());
  EXPECT_EQ(*slicer.Next(), (Slice{0, 0}));
  EXPECT_FALSE(slicer.MayOverflow());
  slicer.Read(123'456, 0);
  EXPECT_FALSE(slicer.Next());
}

TEST(ReportSlicerTest, AYearOfHoursStopsSoonAfterTheAnswerIsFull) {
  // 8,784 hours of 2024, 200 groups an hour: 10,000 rows are the first 50 hours.
  const SliceRun run = ReadAll(
      8'784, [](size_t) { return 200; }, 10'000);
  EXPECT_TRUE(run.truncated);
  EXPECT_EQ(run.written, 10'000u);
  ExpectCoverInOrder(run, run.slices.back().end);
  size_t read = 0;
  for (const Slice& s : run.slices) read += s.end - s.begin;
  EXPECT_LE(read, 80u) << "read far past the 50 hours the answer needs";
  EXPECT_LE(run.slices.size(), 3u);
}

TEST(ReportSlicerTest, EmptyPeriodsAreCrossedInFewReads) {
  // Nothing until the last day of a year of hours.
  const SliceRun run = ReadAll(
      8'784, [](size_t i) { return i >= 8'760 ? 3 : 0; }, 10'000);
  EXPECT_FALSE(run.truncated);
  EXPECT_EQ(run.written, 24u * 3);
  ExpectCoverInOrder(run, 8'784);
  EXPECT_LE(run.slices.size(), 7u);  // 32, 128, 512, 2048, 8192 (the rest)
}

TEST(ReportSlicerTest, AnAnswerExactlyFullLooksOnlyAsFarAsTheNextRow) {
  // 100 periods of 100 groups: exactly 10,000 rows; truncated only if a row follows.
  const SliceRun full = ReadAll(
      100, [](size_t) { return 100; }, 10'000);
  EXPECT_EQ(full.written, 10'000u);
  EXPECT_FALSE(full.truncated);
  ExpectCoverInOrder(full, 100);
  const SliceRun more = ReadAll(
      101, [](size_t) { return 100; }, 10'000);
  EXPECT_TRUE(more.truncated);
  EXPECT_EQ(more.written, 10'000u);
}

TEST(ReportSlicerTest, ASliceTooDenseIsReadAgainShorterDownToOnePeriod) {
  // 50,000 groups in each period: more than kMaxSliceGroups in any slice of two periods.
  const SliceRun run = ReadAll(
      40, [](size_t) { return 50'000; }, 10'000);
  EXPECT_GE(run.overflows, 1u);
  EXPECT_TRUE(run.truncated);
  ASSERT_FALSE(run.slices.empty());
  EXPECT_EQ(run.slices.back(), (Slice{0, 1}));  // one period is read whole, however dense
}

TEST(ReportSlicerTest, GrowsFromSparseToDenseWithoutHoldingTooMuch) {
  // Sparse for a month of hours, then 1,000 groups an hour: no slice read whole holds more than
  // kMaxSliceGroups, and the answer is the first 10,000 rows.
  auto per = [](size_t i) -> size_t { return i < 720 ? 1 : 1'000; };
  const SliceRun run = ReadAll(8'784, per, 10'000);
  EXPECT_TRUE(run.truncated);
  EXPECT_EQ(run.written, 10'000u);
  ExpectCoverInOrder(run, run.slices.back().end);
  // 2,048 hours at the sparse density overflow, then 256, then 32-hour slices at the edge.
  EXPECT_LE(run.overflows, 5u);
  EXPECT_LE(run.slices.size(), 12u);
}

ReportQuery ClicksByCampaign() {
  ReportQuery q;
  q.kind = ReportKind::kClicks;
  q.granularity = Granularity::kDay;
  q.tz = FindTimeZone("UTC");
  q.group_by = {"campaign_id"};
  return q;
}

TEST(ReportRowsTest, HoldsNoGroupPastItsRoomAndSaysSo) {
  const ReportQuery q = ClicksByCampaign();
  ReportRows rows(q, 2);
  const std::string a = "a", b = "b", c = "c";
  rows.At(0, {&a}).clicks += 1;
  rows.At(0, {&b}).clicks += 1;
  EXPECT_FALSE(rows.Overflowed());
  rows.At(0, {&b}).clicks += 1;  // a group held already: room enough
  EXPECT_FALSE(rows.Overflowed());
  rows.At(0, {&c}).clicks += 1;
  EXPECT_TRUE(rows.Overflowed());
  rows.At(0, {&a}).clicks += 1;  // once over, nothing more is counted
  EXPECT_EQ(rows.Finish(), 2u);
}

TEST(ReportRowsTest, HoldsNoGroupPastItsRoomOutOfOrderToo) {
  const ReportQuery q = ClicksByCampaign();
  ReportRows rows(q, 2);
  const std::string a = "a", b = "b", c = "c";
  rows.At(0, {&b}).clicks += 1;
  rows.At(0, {&a}).clicks += 1;  // out of order: the index from now on
  rows.At(0, {&b}).clicks += 1;
  EXPECT_FALSE(rows.Overflowed());
  rows.At(0, {&c}).clicks += 1;
  EXPECT_TRUE(rows.Overflowed());
}

}  // namespace
}  // namespace thrad
