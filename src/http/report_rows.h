#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
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
  // Per currency (its ReportRows::Intern id), a few per row: the conversions and the exact sum
  // of their values. A currency whose conversions add up to 0 is not written (its rows were an
  // hour plan's corrections that cancelled out).
  struct CurrencySum {
    uint32_t currency = 0;
    int64_t conversions = 0;
    Micros128 micros = 0;
  };
  std::vector<CurrencySum> value;
  std::array<int64_t, kLatencyBuckets> latency{};

  // `n` conversions in `currency` worth `micros` (negative: taken away).
  void AddConversions(uint32_t currency, int64_t n, Micros128 micros);
  // Every counter 0.
  bool Empty() const;
};

// The rows of one report: rollup rows folded into the report's periods and groups, then
// written as the answer's "rows" array, ordered by period, then by each group_by value (null
// first, then by bytes).
//
// Rollup rows of a group may come several times and in any order, with negative counters too
// (a store's corrections, ReportStore); a group whose counters add up to 0 is left out.
//
// Built for tens of thousands of rollup rows per call: each distinct dimension value is stored
// (and escaped for JSON) once and a group refers to it by a small id. While groups come in
// order (SQLite's day rows), each is appended; once one comes out of order (a second kind, an
// hour plan's corrections, PostgreSQL's rows), a hash index of the groups finds earlier ones (a
// flat table: a node per group cost 15 % of a New York report's time, docs/benchmarks.md),
// and Finish sorts the groups once, comparing integers.
class ReportRows {
 public:
  // Dimensions a report groups by, at most (report_query.h: ReportDimensions).
  static constexpr size_t kMaxDims = 4;
  // A row's group_by values, in q.group_by's order; nullptr for null.
  using Values = std::array<const std::string*, kMaxDims>;

  // At most `max_groups` groups are held: a group past them is not (its counters go nowhere)
  // and Overflowed says so; the rows are then incomplete.
  explicit ReportRows(const ReportQuery& q, size_t max_groups = SIZE_MAX);

  // The row of a rollup row counted in the period starting at `period` (ignored for
  // kTotal: one period), whose group_by values are `values`. The reference is valid until the
  // next call.
  ReportMetrics& At(int64_t period, const Values& values);

  // Whether a group was left out for want of room (max_groups).
  bool Overflowed() const { return overflowed_; }

  // The id of a value (0 for null), the same for equal values: for currencies.
  uint32_t Intern(const std::string* value) { return Intern(kMaxDims, value); }

  // Puts the groups in the answer's order and leaves out those that added up to 0; returns
  // how many are left. Call once, after the last At.
  size_t Finish();

  // Appends the JSON objects of the first `max` groups, comma separated (after Finish).
  void Write(std::string& out, size_t max) const;

 private:
  struct Row {
    int64_t period = 0;
    std::array<uint32_t, kMaxDims> dims{};
    ReportMetrics metrics;
  };
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  // Intern, remembering the last value of each `slot` (a dimension, or kMaxDims: currencies):
  // runs of one value and a row counted in two periods (rollup_sql.h EmitSignedRow) skip the
  // hash.
  uint32_t Intern(size_t slot, const std::string* value);
  // The index's hash of a row's group; the index rebuilt with `slots` slots (a power of 2).
  static size_t GroupHash(const Row& row);
  // Notes a group left out (max_groups) and gives the counters that go nowhere.
  ReportMetrics& Spill();
  void Rehash(size_t slots);

  // The answer's order, by the values' text (before Finish) or by their ranks (after).
  bool TextBefore(const Row& a, const Row& b) const;
  bool Before(const Row& a, const Row& b) const;
  bool SameGroup(const Row& a, const Row& b) const;
  void WriteRow(std::string& out, const Row& row, std::string& period_json,
                int64_t& period_of_json) const;

  const ReportQuery& q_;
  size_t ndims_ = 0;
  size_t max_groups_ = SIZE_MAX;
  bool overflowed_ = false;
  ReportMetrics spill_;                // where the counters of a group left out go
  std::vector<std::string> dim_keys_;  // each group_by name as ObjectWriter's keys: ",\"name\":"
  std::vector<Row> rows_;              // one per group
  // Once a group came out of order (empty before), an index of every group: open addressing
  // with linear probing, at most half full; a slot holds a row's index + 1, or 0.
  std::vector<uint32_t> slots_;
  size_t ordered_rows_ = SIZE_MAX;  // the groups before the first that came out of order
  std::vector<uint32_t> order_;     // after Finish: the groups written, in the answer's order
  // Interned values: id 0 is null; text_[id] the value, json_[id] its JSON text, rank_[id] its
  // place in the answer's order (after Finish).
  std::unordered_map<std::string, uint32_t, TextHash, std::equal_to<>> ids_;
  std::vector<std::string> text_;
  std::vector<std::string> json_;
  std::vector<uint32_t> rank_;
  std::array<uint32_t, kMaxDims + 1> last_{};  // per Intern slot, the last id (0: none)
};

}  // namespace thrad
