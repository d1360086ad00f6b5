#include "http/report_slices.h"

#include <algorithm>

namespace thrad {

size_t ReportSlicer::Length() const {
  if (periods_ == 0) return 1;
  return std::min(length_, periods_ - begin_);
}

std::optional<ReportSlicer::Slice> ReportSlicer::Next() const {
  if (done_) return std::nullopt;
  if (periods_ == 0) return Slice{0, 0};
  return Slice{begin_, begin_ + Length()};
}

void ReportSlicer::Read(size_t groups, size_t wanted) {
  const size_t read = Length();
  begin_ += read;
  if (periods_ == 0 || begin_ >= periods_) {
    done_ = true;
    return;
  }
  // Periods enough for the rows wanted and one more at the last slice's groups per period, a
  // quarter more for the periods that hold fewer; a slice without a group grows the most.
  const size_t target = wanted + 1;
  size_t next = groups == 0 ? read * kMaxGrowth : (read * target * 5 / 4 + groups - 1) / groups;
  length_ = std::clamp<size_t>(next, 1, read * kMaxGrowth);
}

void ReportSlicer::Overflowed() { length_ = std::max<size_t>(1, Length() / 8); }

}  // namespace thrad
