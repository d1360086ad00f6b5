// The route handlers that write: collect, batch collect and conversion. Each runs its pure
// handler (src/api) and, when the request is valid, returns the write op with the function
// that turns the committed op into the answer (ConversionAnswer: also the browser
// conversion's, tag_handlers.cc).
#include <boost/json.hpp>
#include <utility>

#include "api/collect_batch_handler.h"
#include "api/collect_handler.h"
#include "api/conversion_handler.h"
#include "api/request_context.h"
#include "http/api_service.h"
#include "http/json_response.h"

namespace thrad {
namespace {

ApiResponse Replayed(ApiResponse res) {
  res.AddHeader("Idempotent-Replayed", "true");
  return res;
}

// The answer to a write whose op did not commit.
ApiResponse Failed(const WriteOp& done, const std::string& request_id) {
  return MakeErrorResponse({ErrorKindOf(done.status)}, request_id);
}

RequestContext MakeContext(const ApiCall& call, std::string client_ip, UnixMicros now) {
  RequestContext ctx;
  ctx.partner_id = call.key->partner_id;
  ctx.key_id = call.key->id;
  ctx.key_label = call.key->label;
  if (call.req.origin) ctx.origin = std::string(*call.req.origin);
  if (call.req.referer) ctx.referer = std::string(*call.req.referer);
  ctx.client_ip = std::move(client_ip);
  ctx.received_at = now;
  return ctx;
}

std::unique_ptr<WriteOp> MakeOp(bool dry_run, decltype(WriteOp::payload) payload) {
  auto op = std::make_unique<WriteOp>();
  op->dry_run = dry_run;
  op->payload = std::move(payload);
  return op;
}

// Whether the call's query is valid; else `errors` gets the query's problems first.
bool CheckQuery(const ApiCall& call, std::vector<FieldError>& errors) {
  if (!call.req.target.validate_only_invalid) return true;
  errors.insert(errors.begin(), BoolParsingError({"query", "validate_only"}));
  return false;
}

// The validate_only answer of a conversion that would be stored.
ApiResponse ValidConversion(const ConversionRecord& c) {
  boost::json::object body{
      {"status", "valid"}, {"event_type", c.event_type}, {"currency", c.currency}};
  const std::optional<std::string> source = DedupSourceName(c.dedup_source);
  body["dedup_source"] = source ? boost::json::value(*source) : boost::json::value(nullptr);
  body["bid_id"] = c.bid_id ? boost::json::value(*c.bid_id) : boost::json::value(nullptr);
  body["campaign_id"] =
      c.campaign_id ? boost::json::value(*c.campaign_id) : boost::json::value(nullptr);
  return JsonResponse(200, body);
}

}  // namespace

Prepared ApiService::HandleCollect(const ApiCall& call) {
  const ApiRequest& req = call.req;
  Parsed<EventRecord> parsed =
      ParseCollect(req.body, MakeContext(call, ClientIp(req), clock_.NowMicros()));
  metrics_.CountSanitized(parsed.sanitize);
  if (!CheckQuery(call, parsed.errors) || !parsed.ok()) {
    return MakeErrorResponse({ApiErrorKind::kValidation, std::move(parsed.errors)}, req.request_id);
  }
  EventRecord& event = parsed.record;
  Enrich(event.client_ip, event.user_agent, req.user_agent, event.enrichment);
  std::string tag_id = event.tag_id;
  EventWrite write;
  write.events.push_back(std::move(parsed.record));
  return PendingWrite{
      MakeOp(call.validate_only, std::move(write)),
      [this, request_id = req.request_id, validate_only = call.validate_only,
       tag_id = std::move(tag_id)](const WriteOp& done) -> ApiResponse {
        if (!done.status.ok()) return Failed(done, request_id);
        const auto& w = std::get<EventWrite>(done.payload);
        const bool duplicate = !w.outcomes.empty() && w.outcomes[0] == WriteOutcome::kDuplicate;
        if (validate_only) {
          return JsonResponse(200,
                              boost::json::object{{"status", duplicate ? "duplicate" : "valid"},
                                                  {"tag_id", tag_id}});
        }
        if (duplicate) {
          metrics_.collect_duplicates.fetch_add(1, std::memory_order_relaxed);
          return Replayed(NoContent());
        }
        return NoContent();
      }};
}

Prepared ApiService::HandleCollectBatch(const ApiCall& call) {
  const ApiRequest& req = call.req;
  const bool validate_only = call.validate_only;
  ParsedBatch parsed =
      ParseCollectBatch(req.body, MakeContext(call, ClientIp(req), clock_.NowMicros()));
  metrics_.CountSanitized(parsed.sanitize);
  if (!CheckQuery(call, parsed.errors) || !parsed.ok()) {
    return MakeErrorResponse({ApiErrorKind::kValidation, std::move(parsed.errors)}, req.request_id);
  }
  auto count_duplicates = [this, validate_only](const std::vector<BatchItem>& items) {
    if (validate_only) return;
    const BatchCounts counts = CountBatch(items);
    metrics_.collect_duplicates.fetch_add(static_cast<uint64_t>(counts.duplicates),
                                          std::memory_order_relaxed);
  };
  if (parsed.events.empty()) {  // every event invalid: nothing to commit
    count_duplicates(parsed.items);
    return JsonResponse(200, BatchResultJson(parsed.items, parsed.events, validate_only));
  }
  for (EventRecord& e : parsed.events)
    Enrich(e.client_ip, e.user_agent, req.user_agent, e.enrichment);
  // All valid events of the request in ONE op: they commit together.
  EventWrite write;
  write.events = std::move(parsed.events);
  return PendingWrite{
      MakeOp(validate_only, std::move(write)),
      [request_id = req.request_id, validate_only, count_duplicates,
       items = std::move(parsed.items)](const WriteOp& done) mutable -> ApiResponse {
        if (!done.status.ok()) return Failed(done, request_id);
        const auto& w = std::get<EventWrite>(done.payload);
        ApplyBatchOutcomes(items, w.outcomes);
        count_duplicates(items);
        return JsonResponse(200, BatchResultJson(items, w.events, validate_only));
      }};
}

Prepared ApiService::HandleConversion(const ApiCall& call) {
  const ApiRequest& req = call.req;
  Parsed<ConversionRecord> parsed = ParseConversion(
      req.body, req.idempotency_key, MakeContext(call, ClientIp(req), clock_.NowMicros()));
  metrics_.CountSanitized(parsed.sanitize);
  if (!CheckQuery(call, parsed.errors) || !parsed.ok()) {
    return MakeErrorResponse({ApiErrorKind::kValidation, std::move(parsed.errors)}, req.request_id);
  }
  // Signed landing parameters are checked before the click is looked up: a forged or expired
  // signature never reaches the store (CLICKS.md section 5).
  if (auto refused = VerifyLandingParams(parsed.record)) {
    return MakeErrorResponse(*refused, req.request_id);
  }
  ConversionRecord& c = parsed.record;
  Enrich(c.client_ip, c.user_agent, req.user_agent, c.enrichment);
  return PendingWrite{MakeOp(call.validate_only, ConversionWrite{std::move(parsed.record)}),
                      [this, request_id = req.request_id,
                       validate_only = call.validate_only](const WriteOp& done) -> ApiResponse {
                        return ConversionAnswer(done, request_id, validate_only);
                      }};
}

ApiResponse ApiService::ConversionAnswer(const WriteOp& done, const std::string& request_id,
                                         bool validate_only) {
  if (!done.status.ok()) return Failed(done, request_id);
  const auto& w = std::get<ConversionWrite>(done.payload);
  switch (w.outcome) {
    case WriteOutcome::kClickNotFound:
      return MakeErrorResponse({ApiErrorKind::kClickNotFound}, request_id);
    case WriteOutcome::kClickMissingBid:
      return MakeErrorResponse({ApiErrorKind::kClickMissingBid}, request_id);
    case WriteOutcome::kPayloadMismatch:
      metrics_.idempotency_mismatches.fetch_add(1, std::memory_order_relaxed);
      return MakeErrorResponse({ApiErrorKind::kIdempotencyMismatch}, request_id);
    case WriteOutcome::kDuplicate:
      if (!validate_only) {
        metrics_.conversion_duplicates.fetch_add(1, std::memory_order_relaxed);
      }
      return Replayed(JsonResponse(200, std::string(R"({"status":"duplicate"})")));
    case WriteOutcome::kStored:
      break;
    case WriteOutcome::kPending:
      return MakeErrorResponse({ApiErrorKind::kUnavailable}, request_id);
  }
  if (!validate_only) return JsonResponse(200, std::string(R"({"status":"ok"})"));
  return ValidConversion(w.conversion);
}

}  // namespace thrad
