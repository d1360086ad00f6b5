#include "api/click_batch_handler.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <utility>

#include "api/click_url.h"
#include "api/string_fields.h"
#include "common/random.h"
#include "model/identity.h"

namespace thrad {
namespace {

namespace json = boost::json;

constexpr std::string_view kClicksKey = "clicks";
constexpr size_t kMaxUserAgentChars = 1024;
constexpr size_t kMaxReferrerChars = 2048;
constexpr int64_t kMicrosPerSecond = 1'000'000;

// Every member a click may have; any other is extra_forbidden.
constexpr auto kKnownFields = std::to_array<std::string_view>({
    "partner_id",
    "click_id",
    "bid_id",
    "campaign_id",
    "tag_id",
    "landing_url",
    "clicked_at",
    "client_ip",
    "user_agent",
    "referrer",
});

// Unix seconds of a Unix-micro instant, rounded down (also before 1970).
int64_t FloorSeconds(UnixMicros t) {
  return t / kMicrosPerSecond - (t % kMicrosPerSecond < 0 ? 1 : 0);
}

std::optional<std::string> LandingUrl(const json::object& obj, std::vector<FieldError>& errors) {
  constexpr std::string_view kField = "landing_url";
  std::optional<std::string> url =
      OptionalString(obj, kField, {.max_chars = kMaxLandingUrlChars}, errors);
  if (url && !IsLandingUrl(*url)) {
    errors.push_back(
        UrlParsingError(BodyLoc(kField), "expected an absolute http or https URL with a host"));
    return std::nullopt;
  }
  return url;
}

std::optional<UnixMicros> ClickedAt(const json::object& obj, UnixMicros received_at,
                                    std::vector<FieldError>& errors) {
  constexpr std::string_view kField = "clicked_at";
  std::optional<UnixMicros> t = OptionalDateTime(obj, kField, errors);
  if (t && *t > received_at + kMaxClickedAtAheadSeconds * kMicrosPerSecond) {
    errors.push_back(DatetimePastError(BodyLoc(kField), kMaxClickedAtAheadSeconds));
    return std::nullopt;
  }
  return t;
}

bool IsIpAddress(const std::string& text) {
  in6_addr addr;  // large enough for either family
  return inet_pton(AF_INET, text.c_str(), &addr) == 1 ||
         inet_pton(AF_INET6, text.c_str(), &addr) == 1;
}

std::optional<std::string> ClientIp(const json::object& obj, std::vector<FieldError>& errors) {
  constexpr std::string_view kField = "client_ip";
  const json::value* v = FindPresent(obj, kField);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    errors.push_back(StringTypeError(BodyLoc(kField)));
    return std::nullopt;
  }
  std::string ip(v->get_string());
  if (ip.find('\0') != std::string::npos || !IsIpAddress(ip)) {
    errors.push_back(IpAddressError(BodyLoc(kField)));
    return std::nullopt;
  }
  return ip;
}

void RejectUnknownMembers(const json::object& obj, std::vector<FieldError>& errors) {
  for (const auto& member : obj) {
    const std::string_view key = member.key();
    if (std::find(kKnownFields.begin(), kKnownFields.end(), key) == kKnownFields.end()) {
      errors.push_back(ExtraForbiddenError(BodyLoc(key)));
    }
  }
}

}  // namespace

Parsed<ClickRecord> ParseClickObject(const json::object& obj, const RequestContext& ctx,
                                     int64_t click_ttl_seconds) {
  Parsed<ClickRecord> out;
  std::vector<FieldError>& errors = out.errors;
  ClickRecord& r = out.record;

  const StringRule id_rule{.max_chars = kMaxClickIdChars};
  std::optional<std::string> partner_id = OptionalString(
      obj, "partner_id", {.max_chars = kMaxClickPartnerChars, .min_chars = 1}, errors);
  std::optional<std::string> click_id = OptionalString(
      obj, "click_id",
      {.max_chars = kMaxClickIdChars, .reject_blank = true, .reject_control_chars = true}, errors);
  r.bid_id = OptionalString(obj, "bid_id", id_rule, errors);
  r.campaign_id = OptionalString(obj, "campaign_id", id_rule, errors);
  r.tag_id = OptionalString(obj, "tag_id", id_rule, errors);
  r.landing_url = LandingUrl(obj, errors);
  std::optional<UnixMicros> clicked_at = ClickedAt(obj, ctx.received_at, errors);
  r.client_ip = ClientIp(obj, errors);
  r.user_agent = OptionalString(obj, "user_agent", {.max_chars = kMaxUserAgentChars}, errors);
  r.referrer = OptionalString(obj, "referrer", {.max_chars = kMaxReferrerChars}, errors);
  RejectUnknownMembers(obj, errors);
  if (!errors.empty()) return out;

  r.partner_id = partner_id ? std::move(*partner_id) : ctx.partner_id;
  r.click_id = click_id ? std::move(*click_id) : RandomUuidV4();
  r.created_at = clicked_at.value_or(ctx.received_at);
  r.exp = FloorSeconds(r.created_at) + click_ttl_seconds;
  r.source = "api";
  return out;
}

ParsedClickBatch ParseClickBatch(std::string_view body_text, const RequestContext& ctx,
                                 int64_t click_ttl_seconds, size_t max_clicks) {
  ParsedClickBatch out;
  BatchBody body = ParseBatchBody(body_text, kClicksKey, max_clicks);
  if (!body.ok()) {
    out.errors = std::move(body.errors);
    return out;
  }
  const size_t size = body.items().size();
  out.items.resize(size);
  out.clicks.reserve(size);
  BatchIdentities seen;
  for (size_t i = 0; i < size; ++i) {
    BatchItem& item = out.items[i];
    const json::object* object = ItemObject(body, i, item);
    if (object == nullptr) continue;
    Parsed<ClickRecord> click = ParseClickObject(*object, ctx, click_ttl_seconds);
    if (!click.ok()) {
      FailItem(item, std::move(click.errors), kClicksKey, i);
      continue;
    }
    std::string identity = Identity({click.record.partner_id, click.record.click_id});
    KeepBatchRecord(item, std::move(click.record), std::move(identity), seen, out.clicks);
  }
  return out;
}

int64_t LandingExpOf(const ClickRecord& click, int64_t click_ttl_seconds) {
  return click.exp ? *click.exp : FloorSeconds(click.created_at) + click_ttl_seconds;
}

std::string ClickBatchResultJson(const std::vector<BatchItem>& items,
                                 const std::vector<ClickRecord>& clicks, int64_t click_ttl_seconds,
                                 const LandingSigner& sign, bool validate_only) {
  json::object body = BatchCountsJson(items, validate_only);
  json::array results;
  results.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const BatchItem& item = items[i];
    json::object r = BatchItemJson(item, i);
    if (item.status != BatchItemStatus::kError && item.slot && *item.slot < clicks.size()) {
      const ClickRecord& click = clicks[*item.slot];
      const int64_t exp = LandingExpOf(click, click_ttl_seconds);
      r["click_id"] = click.click_id;
      r["thrad_exp"] = exp;
      if (!validate_only) {
        const std::string sig = sign(click.click_id, exp);
        r["thrad_sig"] = sig;
        if (item.status == BatchItemStatus::kOk && click.landing_url) {
          r["landing_url"] =
              AddLandingParams(*click.landing_url, {.click_id = click.click_id,
                                                    .exp = exp,
                                                    .sig = sig,
                                                    .bid_id = click.bid_id.value_or("")});
        }
      }
    }
    results.emplace_back(std::move(r));
  }
  body["results"] = std::move(results);
  return json::serialize(body);
}

}  // namespace thrad
