#include "http/report_rows.h"

#include <algorithm>
#include <numeric>

#include "common/json_text.h"

namespace thrad {

// Up to this many ordered runs are merged in place; more are sorted.
constexpr size_t kMaxMergedRuns = 8;

void ReportMetrics::AddValue(uint32_t currency, Micros128 micros) {
  for (auto& [id, sum] : value) {
    if (id == currency) {
      sum += micros;
      return;
    }
  }
  value.emplace_back(currency, micros);
}

void ReportMetrics::Add(const ReportMetrics& other) {
  events += other.events;
  clicks += other.clicks;
  filtered_clicks += other.filtered_clicks;
  conversions += other.conversions;
  for (const auto& [currency, micros] : other.value) AddValue(currency, micros);
  for (size_t i = 0; i < latency.size(); ++i) latency[i] += other.latency[i];
}

ReportRows::ReportRows(const ReportQuery& q) : q_(q), ndims_(std::min(q.group_by.size(), kMaxDims)) {
  text_.emplace_back();  // id 0: null
  for (const std::string& name : q.group_by) AppendJsonString(dim_keys_.emplace_back(), name);
  rows_.reserve(1024);
}

uint32_t ReportRows::Intern(const std::string* value) {
  if (value == nullptr) return 0;
  if (auto it = ids_.find(std::string_view(*value)); it != ids_.end()) return it->second;
  const auto id = static_cast<uint32_t>(text_.size());
  text_.push_back(*value);
  ids_.emplace(*value, id);
  return id;
}

ReportMetrics& ReportRows::At(int64_t period, const Values& values) {
  Row key;
  key.period = q_.granularity == Granularity::kTotal ? 0 : period;
  for (size_t i = 0; i < ndims_; ++i) key.dims[i] = Intern(values[i]);
  if (!rows_.empty() && rows_.back().period == key.period && rows_.back().dims == key.dims) {
    return rows_.back().metrics;
  }
  rows_.push_back(std::move(key));
  return rows_.back().metrics;
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

  // The rows in order: as they came when they came in order, runs merged, else sorted.
  std::vector<uint32_t> order(rows_.size());
  std::iota(order.begin(), order.end(), 0);
  auto before = [&](uint32_t a, uint32_t b) { return Before(rows_[a], rows_[b]); };
  std::vector<size_t> runs = {0};  // where each ordered run starts
  for (size_t i = 1; i < rows_.size(); ++i) {
    if (Before(rows_[i], rows_[i - 1])) runs.push_back(i);
  }
  if (runs.size() > kMaxMergedRuns) {
    std::sort(order.begin(), order.end(), before);
  } else {
    for (size_t r = 1; r < runs.size(); ++r) {
      const size_t end = r + 1 < runs.size() ? runs[r + 1] : order.size();
      std::inplace_merge(order.begin(), order.begin() + static_cast<ptrdiff_t>(runs[r]),
                         order.begin() + static_cast<ptrdiff_t>(end), before);
    }
  }

  // One row per group: the rows of a group are next to each other now.
  order_.clear();
  for (uint32_t i : order) {
    if (!order_.empty() && SameGroup(rows_[order_.back()], rows_[i])) {
      rows_[order_.back()].metrics.Add(rows_[i].metrics);
    } else {
      order_.push_back(i);
    }
  }
  return order_.size();
}

void ReportRows::Write(std::string& out, size_t max) const {
  std::string period_text;
  int64_t period_of_text = 0;
  for (size_t k = 0; k < std::min(max, order_.size()); ++k) {
    if (k > 0) out += ',';
    WriteRow(out, rows_[order_[k]], period_text, period_of_text);
  }
}

namespace {

// Writes the keys of one JSON object: a comma before each but the first.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ~ObjectWriter() { out_ += '}'; }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  // `key` is a JSON string already ("\"clicks\"").
  std::string& Key(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += key;
    out_ += ':';
    return out_;
  }
  void Int(std::string_view key, int64_t v) { AppendJsonInt(Key(key), v); }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

void ReportRows::WriteRow(std::string& out, const Row& row, std::string& period_text,
                          int64_t& period_of_text) const {
  ObjectWriter o(out);
  if (q_.granularity != Granularity::kTotal) {
    // Rows come by period: each period's text is made once (a zone look-up and a format).
    if (period_text.empty() || period_of_text != row.period) {
      period_text = FormatLocalRfc3339(q_.tz, row.period);
      period_of_text = row.period;
    }
    AppendJsonString(o.Key("\"period\""), period_text);
  }
  for (size_t i = 0; i < ndims_; ++i) o.Key(dim_keys_[i]) += json_[row.dims[i]];
  const ReportMetrics& m = row.metrics;
  auto value = [&] {
    std::string& to = o.Key("\"value\"");
    std::vector<std::pair<uint32_t, Micros128>> sums = m.value;
    std::sort(sums.begin(), sums.end(),
              [&](const auto& a, const auto& b) { return rank_[a.first] < rank_[b.first]; });
    to += '{';
    for (size_t i = 0; i < sums.size(); ++i) {
      if (i > 0) to += ',';
      to += json_[sums[i].first];
      to += ":\"";
      AppendMicros128(to, sums[i].second);
      to += '"';
    }
    to += '}';
  };
  switch (q_.kind) {
    case ReportKind::kEvents:
      o.Int("\"events\"", m.events);
      break;
    case ReportKind::kClicks:
      o.Int("\"clicks\"", m.clicks);
      o.Int("\"filtered_clicks\"", m.filtered_clicks);
      break;
    case ReportKind::kConversions: {
      o.Int("\"conversions\"", m.conversions);
      value();
      std::string& to = o.Key("\"latency\"");
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
      o.Int("\"clicks\"", m.clicks);
      o.Int("\"filtered_clicks\"", m.filtered_clicks);
      o.Int("\"conversions\"", m.conversions);
      value();
      const int64_t counted = m.clicks - m.filtered_clicks;
      std::string& to = o.Key("\"conversion_rate\"");
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
