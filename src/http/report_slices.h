#pragma once

#include <cstddef>
#include <optional>

namespace thrad {

// Which of a report's periods it reads next. A report answers its first kMaxReportRows rows in
// the order of their periods, so it reads its periods a slice at a time, in order, and stops
// once the answer is full: the groups held at once (ReportRows) and the rows a store sends are
// about one answer's worth, not the whole range's. An hourly report over a year of a partner
// with many campaigns held every group of the year before (1.2 M groups, 158 MB for 90 days of
// the bench store, docs/benchmarks.md session 20) and then wrote the first 10,000.
//
// The first slice is kFirstSlice periods (a month of days: the usual report is one read, as
// before); each next one is sized from the groups per period of the last, for the rows still
// to write and one more (to know whether the answer is truncated), at most kMaxGrowth times as
// long; a slice that held more than kMaxSliceGroups groups is read again, shorter (Overflowed).
class ReportSlicer {
 public:
  static constexpr size_t kFirstSlice = 32;
  static constexpr size_t kMaxGrowth = 4;
  static constexpr size_t kMaxSliceGroups = 40'000;

  struct Slice {
    size_t begin = 0;  // the index of its first period
    size_t end = 0;    // one past its last
    bool operator==(const Slice&) const = default;
  };

  // For `periods` periods (0: the report has no periods, one read of the whole range).
  explicit ReportSlicer(size_t periods) : periods_(periods) {}

  // The slice to read now, or nullopt once every period has been read.
  std::optional<Slice> Next() const;

  // The slice from Next was read: it held `groups` groups and `wanted` more rows were then
  // wanted (0: the answer is full, and only whether any row follows matters).
  void Read(size_t groups, size_t wanted);

  // The slice from Next held more than kMaxSliceGroups groups and was not used: Next gives a
  // shorter one from the same period (never shorter than one period).
  void Overflowed();

  // Whether a slice may stop holding groups past kMaxSliceGroups: one of a single period cannot
  // be read in parts.
  bool MayOverflow() const { return Length() > 1; }

 private:
  size_t Length() const;

  size_t periods_;
  size_t begin_ = 0;
  size_t length_ = kFirstSlice;
  bool done_ = false;
};

}  // namespace thrad
