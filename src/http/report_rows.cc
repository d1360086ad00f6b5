#include "http/report_rows.h"

#include <algorithm>
#include <bit>
#include <numeric>

#include "common/json_text.h"

namespace thrad {

void ReportMetrics::AddConversions(uint32_t currency, int64_t n, Micros128 micros) {
  conversions += n;
  for (CurrencySum& sum : value) {
    if (sum.currency == currency) {
      sum.conversions += n;
      sum.micros += micros;
      return;
    }
  }
  value.push_back({currency, n, micros});
}

bool ReportMetrics::Empty() const {
  return events == 0 && clicks == 0 && filtered_clicks == 0 && conversions == 0 &&
         std::all_of(value.begin(), value.end(),
                     [](const CurrencySum& v) { return v.conversions == 0 && v.micros == 0; }) &&
         std::all_of(latency.begin(), latency.end(), [](int64_t n) { return n == 0; });
}

ReportRows::ReportRows(const ReportQuery& q, size_t max_groups)
    : q_(q), ndims_(std::min(q.group_by.size(), kMaxDims)), max_groups_(max_groups) {
  text_.emplace_back();  // id 0: null
  for (const std::string& name : q.group_by) {
    std::string& key = dim_keys_.emplace_back(",");
    AppendJsonString(key, name);
    key += ':';
  }
  rows_.reserve(1024);
}

uint32_t ReportRows::Intern(size_t slot, const std::string* value) {
  if (value == nullptr) return 0;
  uint32_t& last = last_[slot];
  if (last != 0 && text_[last] == *value) return last;
  if (auto it = ids_.find(std::string_view(*value)); it != ids_.end()) return last = it->second;
  last = static_cast<uint32_t>(text_.size());
  text_.push_back(*value);
  ids_.emplace(*value, last);
  return last;
}

ReportMetrics& ReportRows::At(int64_t period, const Values& values) {
  if (overflowed_) return Spill();
  Row key;
  key.period = q_.granularity == Granularity::kTotal ? 0 : period;
  for (size_t i = 0; i < ndims_; ++i) key.dims[i] = Intern(i, values[i]);
  if (!rows_.empty() && SameGroup(rows_.back(), key)) return rows_.back().metrics;
  // While the groups come in order, a new one after the last is new: no look-up. The first
  // that does not comes after the last may be an earlier group: from then on, an index.
  if (slots_.empty() && (rows_.empty() || TextBefore(rows_.back(), key))) {
    if (rows_.size() >= max_groups_) return Spill();
    rows_.push_back(std::move(key));
    return rows_.back().metrics;
  }
  if (slots_.empty()) {
    ordered_rows_ = rows_.size();
    Rehash(std::bit_ceil(std::max<size_t>(1024, rows_.size() * 4)));
  }
  const size_t mask = slots_.size() - 1;
  for (size_t i = GroupHash(key) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == 0) {
      if (rows_.size() >= max_groups_) return Spill();
      rows_.push_back(std::move(key));
      slots_[i] = static_cast<uint32_t>(rows_.size());
      if (rows_.size() * 2 > slots_.size()) Rehash(slots_.size() * 2);
      return rows_.back().metrics;
    }
    if (SameGroup(rows_[slots_[i] - 1], key)) return rows_[slots_[i] - 1].metrics;
  }
}

ReportMetrics& ReportRows::Spill() {
  overflowed_ = true;
  spill_ = ReportMetrics();
  return spill_;
}

size_t ReportRows::GroupHash(const Row& row) {
  uint64_t h = static_cast<uint64_t>(row.period) * 0x9e3779b97f4a7c15ULL;
  for (uint32_t d : row.dims) h = (h ^ d) * 0xff51afd7ed558ccdULL;
  return static_cast<size_t>(h ^ (h >> 29));
}

void ReportRows::Rehash(size_t slots) {
  slots_.assign(slots, 0);
  const size_t mask = slots - 1;
  for (size_t r = 0; r < rows_.size(); ++r) {
    size_t i = GroupHash(rows_[r]) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = static_cast<uint32_t>(r + 1);
  }
}

bool ReportRows::TextBefore(const Row& a, const Row& b) const {
  if (a.period != b.period) return a.period < b.period;
  for (size_t i = 0; i < ndims_; ++i) {
    if (a.dims[i] == b.dims[i]) continue;
    if (a.dims[i] == 0 || b.dims[i] == 0) return a.dims[i] == 0;  // null first
    return text_[a.dims[i]] < text_[b.dims[i]];
  }
  return false;
}

bool ReportRows::Before(const Row& a, const Row& b) const {
  if (a.period != b.period) return a.period < b.period;
  for (size_t i = 0; i < ndims_; ++i) {
    const uint32_t x = rank_[a.dims[i]], y = rank_[b.dims[i]];
    if (x != y) return x < y;
  }
  return false;
}

bool ReportRows::SameGroup(const Row& a, const Row& b) const {
  return a.period == b.period && a.dims == b.dims;
}

size_t ReportRows::Finish() {
  // Each value's place in the order (null first, then by bytes, as std::string compares) and
  // its JSON text.
  std::vector<uint32_t> by_text(text_.size());
  std::iota(by_text.begin(), by_text.end(), 0);
  std::sort(by_text.begin() + 1, by_text.end(),
            [&](uint32_t a, uint32_t b) { return text_[a] < text_[b]; });
  rank_.assign(text_.size(), 0);
  for (size_t r = 0; r < by_text.size(); ++r) rank_[by_text[r]] = static_cast<uint32_t>(r);
  json_.assign(text_.size(), "null");
  for (size_t id = 1; id < text_.size(); ++id) {
    json_[id].clear();
    AppendJsonString(json_[id], text_[id]);
  }
  // One row per group already; none of a group whose rows added up to nothing (a store's
  // corrections of a period, ReportStore, cancelled it out: no rollup row counts 0).
  order_.clear();
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (!rows_[i].metrics.Empty()) order_.push_back(static_cast<uint32_t>(i));
  }
  // Groups first seen after one came out of order may be anywhere in the order.
  if (rows_.size() > ordered_rows_) {
    std::sort(order_.begin(), order_.end(),
              [&](uint32_t a, uint32_t b) { return Before(rows_[a], rows_[b]); });
  }
  // Each row's currencies as written: by name, none whose conversions added up to 0.
  for (uint32_t i : order_) {
    std::vector<ReportMetrics::CurrencySum>& value = rows_[i].metrics.value;
    std::erase_if(value, [](const ReportMetrics::CurrencySum& v) { return v.conversions == 0; });
    std::sort(value.begin(), value.end(),
              [&](const auto& a, const auto& b) { return rank_[a.currency] < rank_[b.currency]; });
  }
  return order_.size();
}

void ReportRows::Write(std::string& out, size_t max) const {
  const size_t need = out.size() + 160 * std::min(max, order_.size());
  if (need > out.capacity()) out.reserve(std::max(need, out.capacity() * 2));
  std::string period_json;
  int64_t period_of_json = 0;
  for (size_t k = 0; k < std::min(max, order_.size()); ++k) {
    if (k > 0) out += ',';
    WriteRow(out, rows_[order_[k]], period_json, period_of_json);
  }
}

namespace {

// Writes the keys of one JSON object, each in one append: its comma, the key as a JSON string
// and the colon (",\"clicks\":"), the first key's comma written as the object's '{'.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) {}
  ~ObjectWriter() { out_ += first_ ? "{}" : "}"; }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  std::string& Key(std::string_view comma_key) {
    const size_t at = out_.size();
    out_ += comma_key;
    if (first_) {
      out_[at] = '{';
      first_ = false;
    }
    return out_;
  }
  void Int(std::string_view key, int64_t v) { AppendJsonInt(Key(key), v); }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

void ReportRows::WriteRow(std::string& out, const Row& row, std::string& period_json,
                          int64_t& period_of_json) const {
  ObjectWriter o(out);
  if (q_.granularity != Granularity::kTotal) {
    // Rows come by period: each period's JSON text is made once (a zone look-up, a format and
    // the escaping).
    if (period_json.empty() || period_of_json != row.period) {
      period_json.clear();
      AppendJsonString(period_json, FormatLocalRfc3339(q_.tz, row.period));
      period_of_json = row.period;
    }
    o.Key(",\"period\":") += period_json;
  }
  for (size_t i = 0; i < ndims_; ++i) o.Key(dim_keys_[i]) += json_[row.dims[i]];
  const ReportMetrics& m = row.metrics;
  auto value = [&] {
    std::string& to = o.Key(",\"value\":");
    const std::vector<ReportMetrics::CurrencySum>& sums = m.value;  // ordered by Finish
    to += '{';
    for (size_t i = 0; i < sums.size(); ++i) {
      if (i > 0) to += ',';
      to += json_[sums[i].currency];
      to += ":\"";
      AppendMicros128(to, sums[i].micros);
      to += '"';
    }
    to += '}';
  };
  switch (q_.kind) {
    case ReportKind::kEvents:
      o.Int(",\"events\":", m.events);
      break;
    case ReportKind::kClicks:
      o.Int(",\"clicks\":", m.clicks);
      o.Int(",\"filtered_clicks\":", m.filtered_clicks);
      break;
    case ReportKind::kConversions: {
      o.Int(",\"conversions\":", m.conversions);
      value();
      std::string& to = o.Key(",\"latency\":");
      to += '{';
      for (int i = 0; i < kLatencyBuckets; ++i) {
        if (i > 0) to += ',';
        AppendJsonString(to, kLatencyNames[i]);
        to += ':';
        AppendJsonInt(to, m.latency[i]);
      }
      to += '}';
      break;
    }
    case ReportKind::kCampaigns: {
      o.Int(",\"clicks\":", m.clicks);
      o.Int(",\"filtered_clicks\":", m.filtered_clicks);
      o.Int(",\"conversions\":", m.conversions);
      value();
      const int64_t counted = m.clicks - m.filtered_clicks;
      std::string& to = o.Key(",\"conversion_rate\":");
      if (counted == 0) {
        to += "null";
      } else {
        AppendJsonDouble(to, static_cast<double>(m.conversions) / static_cast<double>(counted));
      }
      break;
    }
  }
}

}  // namespace thrad
