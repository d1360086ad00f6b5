// ApiService's report routes (REPORTS.md sections 2-4): GET /v1/api/reports/{kind}, answered from
// the rollups (store/rollup.h) through the ReportStore, and GET /v1/api/conversions, raw
// conversions page by page.
#include <boost/json.hpp>
#include <boost/url/pct_string_view.hpp>
#include <map>
#include <utility>

#include "api/report_query.h"
#include "common/json_text.h"
#include "http/api_service.h"
#include "http/json_response.h"

namespace thrad {
namespace {

// A report answers at most this many rows (then "truncated": true): bounded memory and time
// per request; a caller who needs more narrows the range or the grouping.
constexpr size_t kMaxReportRows = 10'000;
// A page of conversions that is not full ends the paging (next_cursor null) only once `to` is
// this far in the past: a conversion received before `to` may still be waiting for its commit.
constexpr int64_t kConversionSettleMicros = int64_t{60} * 1'000'000;

struct Metrics {
  int64_t events = 0;
  int64_t clicks = 0;
  int64_t filtered_clicks = 0;
  int64_t conversions = 0;
  std::map<std::string, Micros128> value;
  std::array<int64_t, kLatencyBuckets> latency{};
};

using Dims = std::vector<std::optional<std::string>>;
using RowKey = std::pair<int64_t, Dims>;  // period start (0 for total), the group_by values

// Rows of one report: rollup rows folded into periods of the report's zone and its groups.
class Folder {
 public:
  explicit Folder(const ReportQuery& q) : q_(q) {}

  // The report row of a rollup row of `bucket` whose dimensions are named by `value`.
  template <typename ValueOf>
  Metrics& At(int64_t bucket, ValueOf&& value) {
    Dims dims;
    dims.reserve(q_.group_by.size());
    for (const std::string& name : q_.group_by) dims.push_back(value(name));
    RowKey key{Period(bucket), std::move(dims)};
    // Rows often come in key order (day rows, in primary-key order): try the end first.
    if (rows_.empty() || rows_.rbegin()->first < key) {
      return rows_.emplace_hint(rows_.end(), std::move(key), Metrics())->second;
    }
    return rows_[std::move(key)];
  }
  const std::map<RowKey, Metrics>& rows() const { return rows_; }

 private:
  // The store folded the buckets into the query's periods (RollupQuery::periods): a row's
  // bucket is its period's start already.
  int64_t Period(int64_t bucket) const {
    return q_.granularity == Granularity::kTotal ? 0 : bucket;
  }

  const ReportQuery& q_;
  std::map<RowKey, Metrics> rows_;
};

bool Wants(const ReportQuery& q, std::string_view dim) {
  return std::find(q.group_by.begin(), q.group_by.end(), dim) != q.group_by.end();
}

Status ReadEvents(ReportStore& store, const RollupQuery& rq, Folder& f) {
  return store.ReadEventRollups(rq, [&](const EventRollupRow& r) {
    f.At(r.bucket, [&](const std::string& d) {
       return d == "tag_id" ? r.tag_id : r.event_name;
     }).events += r.events;
  });
}

Status ReadClicks(ReportStore& store, const RollupQuery& rq, Folder& f) {
  return store.ReadClickRollups(rq, [&](const ClickRollupRow& r) {
    Metrics& m = f.At(r.bucket, [&](const std::string& d) {
      return d == "campaign_id" ? r.campaign_id : r.tag_id;
    });
    m.clicks += r.clicks;
    m.filtered_clicks += r.filtered_clicks;
  });
}

// `campaigns`: a conversion's tag_id is its click's.
Status ReadConversions(ReportStore& store, const RollupQuery& rq, bool campaigns, Folder& f) {
  return store.ReadConversionRollups(rq, [&](const ConversionRollupRow& r) {
    Metrics& m = f.At(r.bucket, [&](const std::string& d) -> std::optional<std::string> {
      if (d == "campaign_id") return r.campaign_id;
      if (d == "event_type") return r.event_type;
      if (d == "currency") return r.currency;
      return campaigns ? r.click_tag_id : std::nullopt;
    });
    m.conversions += r.conversions;
    m.value[r.currency] += r.value_micros;
    for (int i = 0; i < kLatencyBuckets; ++i) m.latency[i] += r.latency[i];
  });
}

// The `period` text of each row: rows come ordered by period, so each period's text is made once
// (a zone look-up and a format) and copied into its rows.
class PeriodText {
 public:
  explicit PeriodText(const ReportQuery& q) : q_(q) {}
  const std::string& Of(int64_t start) {
    if (!last_ || *last_ != start) {
      text_ = FormatLocalRfc3339(q_.tz, start);
      last_ = start;
    }
    return text_;
  }

 private:
  const ReportQuery& q_;
  std::optional<int64_t> last_;
  std::string text_;
};

// The report's JSON text, written straight into one string: thousands of rows would otherwise
// be thousands of small boost::json objects, then a serialization and SerializeJson's second
// pass over the text for the doubles. The same text as SerializeJson would write: keys in the
// same order, strings escaped, doubles in their shortest form (AppendJsonDouble).
class ReportJson {
 public:
  explicit ReportJson(std::string& out) : out_(out) {}

  void Open() {
    out_ += '{';
    first_ = true;
  }
  void Close() {
    out_ += '}';
    first_ = false;
  }
  // A key of the open object; its value follows.
  ReportJson& Key(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    AppendJsonString(out_, key);
    out_ += ':';
    return *this;
  }
  void String(std::string_view v) { AppendJsonString(out_, v); }
  void Int(int64_t v) { AppendJsonInt(out_, v); }
  void Null() { out_ += "null"; }
  void Raw(std::string_view json) { out_ += json; }
  // A comma before the next element of an array after its first.
  void Element(bool first) {
    if (!first) out_ += ',';
  }

  void Row(const ReportQuery& q, const RowKey& key, const Metrics& m, PeriodText& period) {
    Open();
    if (q.granularity != Granularity::kTotal) Key("period").String(period.Of(key.first));
    for (size_t i = 0; i < q.group_by.size(); ++i) {
      Key(q.group_by[i]);
      if (const std::optional<std::string>& v = key.second[i]) {
        String(*v);
      } else {
        Null();
      }
    }
    switch (q.kind) {
      case ReportKind::kEvents:
        Key("events").Int(m.events);
        break;
      case ReportKind::kClicks:
        Key("clicks").Int(m.clicks);
        Key("filtered_clicks").Int(m.filtered_clicks);
        break;
      case ReportKind::kConversions:
        Key("conversions").Int(m.conversions);
        Key("value").Value(m.value);
        Key("latency").Open();
        for (int i = 0; i < kLatencyBuckets; ++i) Key(kLatencyNames[i]).Int(m.latency[i]);
        Close();
        break;
      case ReportKind::kCampaigns: {
        Key("clicks").Int(m.clicks);
        Key("filtered_clicks").Int(m.filtered_clicks);
        Key("conversions").Int(m.conversions);
        Key("value").Value(m.value);
        const int64_t counted = m.clicks - m.filtered_clicks;
        Key("conversion_rate");
        if (counted == 0) {
          Null();
        } else {
          AppendJsonDouble(out_, static_cast<double>(m.conversions) / static_cast<double>(counted));
        }
        break;
      }
    }
    Close();
  }

 private:
  // {"USD":"12.5",...}: exact decimal text per currency.
  void Value(const std::map<std::string, Micros128>& value) {
    Open();
    for (const auto& [currency, micros] : value) Key(currency).String(FormatMicros128(micros));
    Close();
  }

  std::string& out_;
  bool first_ = true;
};

// A report's answer, read from the rollups: runs on the read thread (PendingRead).
ApiResponse AnswerReport(ReportStore& store, const ReportQuery& q, const std::string& request_id) {
  RollupQuery rq;
  rq.partner_id = q.partner_id;
  rq.from_bucket = RollupBucket(q.from);
  rq.to_bucket = RollupBucket(q.to);
  rq.by_bucket = q.granularity != Granularity::kTotal;
  rq.periods = PeriodStarts(q.tz, q.granularity, q.from, q.to);
  Folder folder(q);
  Status st;
  switch (q.kind) {
    case ReportKind::kEvents:
      rq.dims = {Wants(q, "tag_id"), Wants(q, "event_name"), false, false};
      st = ReadEvents(store, rq, folder);
      break;
    case ReportKind::kClicks:
      rq.dims = {Wants(q, "campaign_id"), Wants(q, "tag_id"), false, false};
      st = ReadClicks(store, rq, folder);
      break;
    case ReportKind::kConversions:
      rq.dims = {Wants(q, "campaign_id"), Wants(q, "event_type"), true, false};
      st = ReadConversions(store, rq, false, folder);
      break;
    case ReportKind::kCampaigns:
      rq.dims = {true, Wants(q, "tag_id"), false, false};
      st = ReadClicks(store, rq, folder);
      if (st.ok()) {
        rq.dims = {true, false, true, Wants(q, "tag_id")};
        st = ReadConversions(store, rq, true, folder);
      }
      break;
  }
  if (!st.ok()) return MakeErrorResponse({ErrorKindOf(st)}, request_id);

  std::string body;
  body.reserve(256 + 160 * std::min(folder.rows().size(), kMaxReportRows));
  ReportJson json(body);
  json.Open();
  json.Key("kind").String(ReportKindName(q.kind));
  json.Key("from").String(q.from_text);
  json.Key("to").String(q.to_text);
  json.Key("tz").String(q.tz_name);
  json.Key("granularity").String(GranularityName(q.granularity));
  json.Key("group_by").Raw("[");
  for (size_t i = 0; i < q.group_by.size(); ++i) {
    json.Element(i == 0);
    json.String(q.group_by[i]);
  }
  json.Raw("]");
  json.Key("partner");
  if (q.partner_id) {
    json.String(*q.partner_id);
  } else {
    json.Null();
  }
  json.Key("rows").Raw("[");
  size_t written = 0;
  PeriodText period(q);
  for (const auto& [key, metrics] : folder.rows()) {
    if (written == kMaxReportRows) break;
    json.Element(written == 0);
    json.Row(q, key, metrics, period);
    ++written;
  }
  json.Raw("]");
  json.Key("truncated").Raw(folder.rows().size() > kMaxReportRows ? "true" : "false");
  json.Close();
  return JsonResponse(200, std::move(body));
}

}  // namespace

Prepared ApiService::HandleReport(const ApiCall& call) {
  const std::string& request_id = call.req.request_id;
  auto segment = boost::urls::make_pct_string_view(call.route.param);
  std::optional<ReportKind> kind =
      segment ? ParseReportKind(segment->decode()) : std::optional<ReportKind>();
  if (!kind) return MakeErrorResponse({ApiErrorKind::kNotFound}, request_id);
  const ReportCaller caller{call.key->partner_id, call.key->HasScope(Scope::kAdmin)};
  Parsed<ReportQuery> parsed = ParseReportQuery(*kind, call.req.target.query, caller);
  if (!parsed.ok()) {
    return MakeErrorResponse({ApiErrorKind::kValidation, std::move(parsed.errors)}, request_id);
  }
  ReportQuery& q = parsed.record;
  // A campaigns report is always by campaign_id, first.
  if (q.kind == ReportKind::kCampaigns) {
    std::vector<std::string> by = {"campaign_id"};
    if (Wants(q, "tag_id")) by.push_back("tag_id");
    q.group_by = std::move(by);
  }
  // The rollups are read on the server's read thread.
  return PendingRead{[&store = reports_, q = std::move(q), request_id] {
    return AnswerReport(store, q, request_id);
  }};
}

namespace {

// A page of raw conversions: runs on the read thread (PendingRead).
ApiResponse AnswerConversionPage(ReportStore& store, const Clock& clock, const ReportQuery& q,
                                 const std::string& request_id) {
  ConversionPageQuery pq;
  pq.partner_id = q.partner_id;
  pq.from = q.from;
  pq.to = q.to;
  pq.after = q.cursor;
  pq.limit = static_cast<size_t>(q.limit);
  Result<ConversionPage> page = store.ListConversions(pq);
  if (!page.ok()) {
    if (page.status().code() == StatusCode::kInvalidArgument) {
      std::vector<FieldError> errors = {
          ValueError({std::string("query"), std::string("cursor")},
                     "not a cursor from an earlier page (next_cursor)")};
      return MakeErrorResponse({ApiErrorKind::kValidation, std::move(errors)}, request_id);
    }
    return MakeErrorResponse({ErrorKindOf(page.status())}, request_id);
  }
  // The paging is over once a page is not full and nothing more can arrive in the range.
  const bool done =
      page->rows.size() < pq.limit && q.to + kConversionSettleMicros <= clock.NowMicros();
  std::string body = "{\"rows\":[";
  for (size_t i = 0; i < page->rows.size(); ++i) {
    if (i > 0) body += ',';
    body += page->rows[i];
  }
  body += "],\"next_cursor\":";
  body += done ? "null" : boost::json::serialize(boost::json::value(page->last));
  body += '}';
  return JsonResponse(200, std::move(body));
}

}  // namespace

Prepared ApiService::HandleConversionList(const ApiCall& call) {
  const std::string& request_id = call.req.request_id;
  const ReportCaller caller{call.key->partner_id, call.key->HasScope(Scope::kAdmin)};
  Parsed<ReportQuery> parsed = ParseConversionsQuery(call.req.target.query, caller);
  if (!parsed.ok()) {
    return MakeErrorResponse({ApiErrorKind::kValidation, std::move(parsed.errors)}, request_id);
  }
  // The page is read on the server's read thread.
  return PendingRead{[&store = reports_, &clock = clock_, q = std::move(parsed.record),
                      request_id] { return AnswerConversionPage(store, clock, q, request_id); }};
}

}  // namespace thrad

namespace thrad {

// GET /v1/api/me: the calling key (reports or admin scope) as the dashboard shows it: its id,
// partner and scopes, so a page can tell an admin key from a reports key without a refused
// request. Never the secret or the label.
Prepared ApiService::HandleMe(const ApiCall& call) {
  boost::json::array scopes;
  for (const ScopeName& s : kScopeNames) {
    if (call.key->HasScope(s.scope)) scopes.emplace_back(s.name);
  }
  return JsonResponse(200, boost::json::object{{"key_id", call.key->id},
                                               {"partner_id", call.key->partner_id},
                                               {"scopes", std::move(scopes)}});
}

}  // namespace thrad
