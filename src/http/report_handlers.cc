// ApiService's report routes (REPORTS.md sections 2-4): GET /v1/api/reports/{kind}, answered from
// the rollups (store/rollup.h) through the ReportStore, and GET /v1/api/conversions, raw
// conversions page by page.
#include <boost/json.hpp>
#include <boost/url/pct_string_view.hpp>
#include <utility>

#include "api/report_query.h"
#include "common/json_text.h"
#include "http/api_service.h"
#include "http/json_response.h"
#include "http/report_rows.h"
#include "http/report_slices.h"

namespace thrad {
namespace {

// A report answers at most this many rows (then "truncated": true): bounded memory and time
// per request; a caller who needs more narrows the range or the grouping.
constexpr size_t kMaxReportRows = 10'000;
// A page of conversions that is not full ends the paging (next_cursor null) only once `to` is
// this far in the past: a conversion received before `to` may still be waiting for its commit.
constexpr int64_t kConversionSettleMicros = int64_t{60} * 1'000'000;

bool Wants(const ReportQuery& q, std::string_view dim) {
  return std::find(q.group_by.begin(), q.group_by.end(), dim) != q.group_by.end();
}

// For each of q.group_by, its index in `fields` (a kind's rollup row's dimensions), or -1 when
// the row has no such dimension (the value is then null).
template <size_t N>
std::array<int, ReportRows::kMaxDims> FieldsOf(const ReportQuery& q,
                                               const std::array<std::string_view, N>& fields) {
  std::array<int, ReportRows::kMaxDims> out;
  out.fill(-1);
  for (size_t i = 0; i < q.group_by.size() && i < out.size(); ++i) {
    for (size_t f = 0; f < N; ++f) {
      if (q.group_by[i] == fields[f]) out[i] = static_cast<int>(f);
    }
  }
  return out;
}

// A row's group_by values: `values` in the order of the fields FieldsOf was given.
template <size_t N>
ReportRows::Values ValuesOf(const std::array<int, ReportRows::kMaxDims>& fields,
                            const std::array<const std::string*, N>& values) {
  ReportRows::Values out{};
  for (size_t i = 0; i < out.size(); ++i) {
    if (fields[i] >= 0) out[i] = values[static_cast<size_t>(fields[i])];
  }
  return out;
}

const std::string* Opt(const std::optional<std::string>& v) { return v ? &*v : nullptr; }

Status ReadEvents(ReportStore& store, const RollupQuery& rq, const ReportQuery& q,
                  ReportRows& rows) {
  const auto fields = FieldsOf<2>(q, {"tag_id", "event_name"});
  return store.ReadEventRollups(rq, [&](const EventRollupRow& r) {
    rows.At(r.bucket, ValuesOf<2>(fields, {Opt(r.tag_id), Opt(r.event_name)})).events += r.events;
  });
}

Status ReadClicks(ReportStore& store, const RollupQuery& rq, const ReportQuery& q,
                  ReportRows& rows) {
  const auto fields = FieldsOf<2>(q, {"campaign_id", "tag_id"});
  return store.ReadClickRollups(rq, [&](const ClickRollupRow& r) {
    ReportMetrics& m = rows.At(r.bucket, ValuesOf<2>(fields, {Opt(r.campaign_id), Opt(r.tag_id)}));
    m.clicks += r.clicks;
    m.filtered_clicks += r.filtered_clicks;
  });
}

// `campaigns`: a conversion's tag_id is its click's.
Status ReadConversions(ReportStore& store, const RollupQuery& rq, const ReportQuery& q,
                       bool campaigns, ReportRows& rows) {
  const auto fields = FieldsOf<4>(q, {"campaign_id", "event_type", "currency", "tag_id"});
  return store.ReadConversionRollups(rq, [&](const ConversionRollupRow& r) {
    ReportMetrics& m =
        rows.At(r.bucket, ValuesOf<4>(fields, {Opt(r.campaign_id), Opt(r.event_type), &r.currency,
                                               campaigns ? Opt(r.click_tag_id) : nullptr}));
    m.AddConversions(rows.Intern(&r.currency), r.conversions, r.value_micros);
    for (int i = 0; i < kLatencyBuckets; ++i) m.latency[i] += r.latency[i];
  });
}

// The report's JSON text around its rows (ReportRows writes those), written straight into one
// string like them: the same text as SerializeJson would write, keys in the same order, strings
// escaped.
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
  void Null() { out_ += "null"; }
  void Raw(std::string_view json) { out_ += json; }
  // A comma before the next element of an array after its first.
  void Element(bool first) {
    if (!first) out_ += ',';
  }

 private:
  std::string& out_;
  bool first_ = true;
};

// The first bucket at or after `t`.
int64_t BucketAtOrAfter(int64_t t) { return RollupBucket(t + kRollupBucketMicros - 1); }

// `rq` narrowed to its periods [slice.begin, slice.end): the buckets from the first one's start
// to the next one's (a bucket counts in the last period starting at or before it, as in rq).
RollupQuery SliceOf(const RollupQuery& rq, ReportSlicer::Slice slice) {
  if (rq.periods.empty()) return rq;
  RollupQuery out = rq;
  out.periods.assign(rq.periods.begin() + static_cast<ptrdiff_t>(slice.begin),
                     rq.periods.begin() + static_cast<ptrdiff_t>(slice.end));
  if (slice.begin > 0) out.from_bucket = BucketAtOrAfter(rq.periods[slice.begin]);
  if (slice.end < rq.periods.size()) {
    out.to_bucket = std::min(rq.to_bucket, BucketAtOrAfter(rq.periods[slice.end]));
  }
  return out;
}

// Reads the report's rollups of `rq` into `rows`.
Status ReadRollups(ReportStore& store, RollupQuery rq, const ReportQuery& q, ReportRows& rows) {
  switch (q.kind) {
    case ReportKind::kEvents:
      rq.dims = {Wants(q, "tag_id"), Wants(q, "event_name"), false, false};
      return ReadEvents(store, rq, q, rows);
    case ReportKind::kClicks:
      rq.dims = {Wants(q, "campaign_id"), Wants(q, "tag_id"), false, false};
      return ReadClicks(store, rq, q, rows);
    case ReportKind::kConversions:
      rq.dims = {Wants(q, "campaign_id"), Wants(q, "event_type"), true, false};
      return ReadConversions(store, rq, q, false, rows);
    case ReportKind::kCampaigns: {
      rq.dims = {true, Wants(q, "tag_id"), false, false};
      THRAD_RETURN_IF_ERROR(ReadClicks(store, rq, q, rows));
      rq.dims = {true, false, true, Wants(q, "tag_id")};
      rq.latency = false;  // not in a campaigns row
      return ReadConversions(store, rq, q, true, rows);
    }
  }
  return Status::Ok();
}

// A report's answer, read from the rollups a slice of periods at a time (ReportSlicer): runs on
// the read thread (PendingRead).
ApiResponse AnswerReport(ReportStore& store, const ReportQuery& q, const std::string& request_id) {
  RollupQuery rq;
  rq.partner_id = q.partner_id;
  rq.from_bucket = RollupBucket(q.from);
  rq.to_bucket = RollupBucket(q.to);
  rq.by_bucket = q.granularity != Granularity::kTotal;
  rq.periods = PeriodStarts(q.tz, q.granularity, q.from, q.to);

  std::string body;
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
  size_t written = 0;
  bool truncated = false;
  json.Key("rows").Raw("[");
  ReportSlicer slicer(rq.periods.size());  // none for a total (PeriodStarts)
  while (std::optional<ReportSlicer::Slice> slice = slicer.Next()) {
    ReportRows rows(q, slicer.MayOverflow() ? ReportSlicer::kMaxSliceGroups : SIZE_MAX);
    Status st = ReadRollups(store, SliceOf(rq, *slice), q, rows);
    if (!st.ok()) return MakeErrorResponse({ErrorKindOf(st)}, request_id);
    if (rows.Overflowed()) {
      slicer.Overflowed();
      continue;
    }
    const size_t groups = rows.Finish();
    const size_t wanted = kMaxReportRows - written;
    if (groups > wanted) truncated = true;
    if (groups > 0 && wanted > 0) {
      if (written > 0) body += ',';
      rows.Write(body, wanted);
      written += std::min(groups, wanted);
    }
    if (truncated) break;
    slicer.Read(groups, kMaxReportRows - written);
  }

  json.Raw("]");
  json.Key("truncated").Raw(truncated ? "true" : "false");
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
