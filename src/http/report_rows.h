#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/report_query.h"
#include "store/rollup.h"

namespace thrad {

// The counters of one report row (REPORTS.md section 2).
struct ReportMetrics {
  int64_t events = 0;
  int64_t clicks = 0;
  int64_t filtered_clicks = 0;
  int64_t conversions = 0;
  // Exact sums per currency: (the currency's ReportRows::Intern id, micros); a few per row.
  std::vector<std::pair<uint32_t, Micros128>> value;
  std::array<int64_t, kLatencyBuckets> latency{};

  void AddValue(uint32_t currency, Micros128 micros);
  void Add(const ReportMetrics& other);
};

// The rows of one report: rollup rows folded into the report's periods and groups, then
// written as the answer's "rows" array, ordered by period, then by each group_by value (null
// first, then by bytes).
//
// Built for thousands of rows per call: each distinct dimension value is stored (and escaped
// for JSON) once and rows refer to it by a small id; rows are appended as they come (a row
// equal to the last one adds to it) and put in order once, by Finish, comparing integers: a
// merge when they came in a few ordered runs (SQLite's day rows, one run per kind read), a
// sort otherwise (PostgreSQL's rows, in no particular order).
class ReportRows {
 public:
  // Dimensions a report groups by, at most (report_query.h: ReportDimensions).
  static constexpr size_t kMaxDims = 4;
  // A row's group_by values, in q.group_by's order; nullptr for null.
  using Values = std::array<const std::string*, kMaxDims>;

  explicit ReportRows(const ReportQuery& q);

  // The row of a rollup row counted in the period starting at `period` (ignored for
  // kTotal: one period), whose group_by values are `values`. The reference is valid until the
  // next call.
  ReportMetrics& At(int64_t period, const Values& values);

  // The id of a value (0 for null), the same for equal values: for currencies.
  uint32_t Intern(const std::string* value);

  // Orders the rows and adds up the rows of each group; returns how many groups there are.
  // Call once, after the last At.
  size_t Finish();

  // Appends the JSON objects of the first `max` groups, comma separated (after Finish).
  void Write(std::string& out, size_t max) const;

 private:
  struct Row {
    int64_t period = 0;
    std::array<uint32_t, kMaxDims> dims{};
    ReportMetrics metrics;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  bool Before(const Row& a, const Row& b) const;
  bool SameGroup(const Row& a, const Row& b) const;
  void WriteRow(std::string& out, const Row& row, std::string& period_text,
                int64_t& period_of_text) const;

  const ReportQuery& q_;
  size_t ndims_ = 0;
  std::vector<std::string> dim_keys_;  // each group_by name as a JSON string
  std::vector<Row> rows_;
  std::vector<uint32_t> order_;  // after Finish: one row per group, in the answer's order
  // Interned values: id 0 is null; text_[id] the value, json_[id] its JSON text, rank_[id] its
  // place in the answer's order (after Finish).
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
  std::vector<std::string> text_;
  std::vector<std::string> json_;
  std::vector<uint32_t> rank_;
};

}  // namespace thrad
