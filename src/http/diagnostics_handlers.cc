// ApiService's diagnostics (REPORTS.md section 5): noting each refusal of an authenticated
// request once its answer is written (into the in-memory RefusalAggregator; the RefusalFlusher
// moves them to the store about once a second), and GET /v1/api/diagnostics, read from the
// store through the ReportStore.
#include <boost/json.hpp>

#include "api/diagnostics_query.h"
#include "common/json_numbers.h"
#include "common/time_format.h"
#include "http/api_service.h"
#include "http/json_response.h"
#include "http/refusal_aggregator.h"

namespace thrad {
namespace {

boost::json::value ParseOrNull(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return nullptr;
  return v;
}

}  // namespace

void ApiService::NoteRefusal(const RouteSpec& route, unsigned status, const KeyRecord& key,
                             std::string_view body, const std::string& request_id) {
  if (config_.refusals == nullptr || status / 100 != 4 || route.paths.empty()) return;
  Refusal r;
  r.partner_id = key.partner_id;
  r.key_id = key.id;
  r.route = std::string(route.paths.front());
  r.status = static_cast<int>(status);
  r.at = clock_.NowMicros();
  r.request_id = request_id;
  // The answer's body is the error mapper's (MakeErrorResponse): its detail and, for a 422,
  // its field errors.
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(body, ec);
  if (const boost::json::object* o = ec ? nullptr : parsed.if_object()) {
    if (const boost::json::value* d = o->if_contains("detail"); d && d->is_string()) {
      r.detail = std::string(d->get_string());
    }
    if (const boost::json::value* errors = o->if_contains("errors"); errors && errors->is_array()) {
      for (const boost::json::value& e : errors->get_array()) {
        const boost::json::object* eo = e.if_object();
        if (eo == nullptr) continue;
        std::string loc, type;
        if (const boost::json::value* l = eo->if_contains("loc")) loc = SerializeJson(*l);
        if (const boost::json::value* t = eo->if_contains("type"); t && t->is_string()) {
          type = std::string(t->get_string());
        }
        r.errors.emplace_back(std::move(loc), std::move(type));
      }
    }
  }
  config_.refusals->Add(r);
}

namespace {

// The diagnostics' answer, read from the store: runs on the read thread (PendingRead).
ApiResponse AnswerDiagnostics(ReportStore& store, const Clock& clock, const DiagnosticsQuery& q,
                              const std::string& request_id) {
  const UnixMicros now = clock.NowMicros();
  const int64_t window = q.hours * kRefusalBucketMicros;
  RefusalQuery rq;
  rq.partner_id = q.partner_id;
  // Every hourly bucket that overlaps the last `hours` hours.
  rq.from_bucket = RefusalBucket(now - window);
  rq.since = now - window;
  Result<RefusalReport> report = store.ReadRefusals(rq);
  if (!report.ok()) return MakeErrorResponse({ErrorKindOf(report.status())}, request_id);

  boost::json::array counts;
  for (const RefusalCountRow& c : report->counts) {
    boost::json::object row;
    row["route"] = c.route;
    row["status"] = c.status;
    row["detail"] = c.detail;
    if (c.type.empty()) {
      row["type"] = nullptr;
    } else {
      row["type"] = c.type;
    }
    if (!c.loc.empty()) row["loc"] = ParseOrNull(c.loc);
    row["count"] = c.count;
    counts.push_back(std::move(row));
  }
  boost::json::array recent;
  for (const RefusalSample& s : report->recent) {
    boost::json::object row;
    row["at"] = FormatRfc3339(s.at);
    row["route"] = s.route;
    row["status"] = s.status;
    row["detail"] = s.detail;
    boost::json::value errors = ParseOrNull(s.errors);
    row["errors"] = errors.is_array() ? std::move(errors) : boost::json::array();
    row["request_id"] = s.request_id;
    row["key_id"] = s.key_id;
    if (!q.partner_id) row["partner"] = s.partner_id;  // an admin reading every partner
    recent.push_back(std::move(row));
  }
  boost::json::object body;
  body["hours"] = q.hours;
  body["counts"] = std::move(counts);
  body["recent"] = std::move(recent);
  return JsonResponse(200, body);
}

}  // namespace

Prepared ApiService::HandleDiagnostics(const ApiCall& call) {
  const std::string& request_id = call.req.request_id;
  const ReportCaller caller{call.key->partner_id, call.key->HasScope(Scope::kAdmin)};
  Parsed<DiagnosticsQuery> parsed = ParseDiagnosticsQuery(call.req.target.query, caller);
  if (!parsed.ok()) {
    return MakeErrorResponse({ApiErrorKind::kValidation, std::move(parsed.errors)}, request_id);
  }
  // The refusals are read on the server's read thread.
  return PendingRead{[&store = reports_, &clock = clock_, q = std::move(parsed.record),
                      request_id] { return AnswerDiagnostics(store, clock, q, request_id); }};
}

}  // namespace thrad
