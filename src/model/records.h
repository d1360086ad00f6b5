#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/enrichment.h"

namespace thrad {

// Times are Unix microseconds (UTC) everywhere inside the process and in both stores.
using UnixMicros = int64_t;

// What a key may do. `clicks` registers clicks for any partner (CLICKS.md section 4);
// `reports` reads its own partner's reports, `admin` every partner's (REPORTS.md section 1).
// None of these three is granted by default.
enum class Scope : uint32_t {
  kCollect = 1,
  kConversion = 2,
  kClicks = 4,
  kReports = 8,
  kAdmin = 16
};

// Every scope with its name, in the order names are listed.
struct ScopeName {
  Scope scope;
  std::string_view name;
};
inline constexpr ScopeName kScopeNames[] = {{Scope::kCollect, "collect"},
                                            {Scope::kConversion, "conversion"},
                                            {Scope::kClicks, "clicks"},
                                            {Scope::kReports, "reports"},
                                            {Scope::kAdmin, "admin"}};

struct KeyRecord {
  std::string id;      // public id, "key_<hex>"
  std::string digest;  // lowercase hex SHA-256 of the secret; the secret itself is never stored
  std::string partner_id;
  std::string label;
  uint32_t scopes = 0;  // bit set of Scope
  UnixMicros created_at = 0;
  std::optional<UnixMicros> expires_at;
  std::optional<UnixMicros> revoked_at;
  std::optional<UnixMicros> last_used_at;
  // Per-key override of the server-wide rate limit (token bucket); unset: server default.
  std::optional<double> rate_limit_rps;
  std::optional<int64_t> rate_limit_burst;

  bool HasScope(Scope s) const { return (scopes & static_cast<uint32_t>(s)) != 0; }
  // Whether the key has at least one of `any_of` (Scope bits).
  bool HasAnyScope(uint32_t any_of) const { return (scopes & any_of) != 0; }
  bool ActiveAt(UnixMicros now) const {
    return !revoked_at.has_value() && (!expires_at.has_value() || now < *expires_at);
  }
};

// One click (CLICKS.md). Clicks never change once stored.
struct ClickRecord {
  std::string click_id;
  std::string partner_id;
  std::optional<std::string> bid_id;
  std::optional<std::string> campaign_id;
  UnixMicros created_at = 0;  // clicked_at: when the click happened (receive time by default)
  std::optional<std::string> tag_id;
  std::optional<std::string> landing_url;
  std::optional<std::string> client_ip;
  std::optional<std::string> user_agent;
  std::optional<std::string> referrer;
  // thrad_exp: Unix seconds until which its landing parameters are valid (clicked_at + the
  // click TTL); nullopt for clicks stored before clicks had one (`clicks add` of old).
  std::optional<int64_t> exp;
  std::string source = "cli";                // "redirect", "api" or "cli"
  std::optional<std::string> filter_reason;  // "prefetch", "bot" or nullopt
  Enrichment enrichment;                     // from client_ip and user_agent
};

// One normalized collect event, ready to store. Built by api/collect_handler.
struct EventRecord {
  std::string partner_id;
  std::string key_id;
  std::string event_name;
  std::string tag_id;  // always set: given or derived
  std::optional<std::string> event_id;
  std::optional<int64_t> timestamp;  // client's Unix seconds, when sent
  std::optional<std::string> page_url;
  std::optional<std::string> referrer;
  std::optional<std::string> user_agent;
  std::optional<std::string> session_id;
  std::optional<std::string> client_id;
  std::optional<std::string> attribution_type;
  std::optional<std::string> impression_id;
  std::optional<std::string> click_id;
  std::optional<std::string> bid_id;
  std::optional<std::string> impression_state;
  std::optional<int64_t> view_time_ms;
  std::optional<std::string> consent_json;  // serialized JSON object, as given
  std::string params_json;                  // serialized JSON object, stamped, with extra
  std::string channel = "server";
  std::string client_ip;  // as stored: anonymized under serve --ip-anonymize
  UnixMicros received_at = 0;
  Enrichment enrichment;  // from the request's address and user agent
};

// Where a conversion's dedup key came from.
enum class DedupSource { kNone, kHeader, kEventId, kOrderId };

// The stored and reported name of a dedup source ("header", "event_id", "order_id"), or
// nullopt for kNone. The one spelling used by both stores, export and validate_only answers.
std::optional<std::string> DedupSourceName(DedupSource source);

// One normalized conversion, ready to store. Built by api/conversion_handler.
struct ConversionRecord {
  std::string partner_id;
  std::string key_id;
  std::string click_id;
  UnixMicros conversion_time = 0;  // normalized to UTC
  int64_t value_micros = 0;        // conversion_value * 1e6, exact
  std::string currency;            // upper-case ISO 4217
  std::string event_type = "purchase_completed";
  std::optional<std::string> order_id;
  std::optional<std::string> event_id;
  std::optional<std::string> tag_id;
  std::optional<std::string> session_id;
  std::optional<std::string> client_id;
  std::optional<std::string> page_url;
  std::optional<std::string> referrer;
  std::optional<std::string> user_agent;
  std::optional<std::string> dedup_key;
  DedupSource dedup_source = DedupSource::kNone;
  std::string params_json;  // {"integration":..,"partner_id":..,"api_key_label":..,"extra":{..}}
  std::string client_ip;    // as stored: anonymized under serve --ip-anonymize
  UnixMicros received_at = 0;
  Enrichment enrichment;  // from the request's address and user agent
  // Filled by the store from the click inside the write transaction.
  std::optional<std::string> bid_id;
  std::optional<std::string> campaign_id;
  std::optional<UnixMicros> click_time;  // the click's clicked_at
  // The click's tag_id (the publisher placement), for the rollups of the campaigns report;
  // read with the click, not stored with the conversion.
  std::optional<std::string> click_tag_id;
  // The landing parameters as the partner captured them (thrad_exp, thrad_sig; both or neither):
  // verified by the HTTP layer before the write; not stored.
  std::optional<int64_t> landing_exp;
  std::optional<std::string> landing_sig;
};

// Whether a record came from a browser tag (TAG.md: POST /v1/t/collect, GET /v1/t/p.gif,
// POST /v1/t/conversion) rather than a partner's server: a tag request has no API key, so its
// rows are stored with an empty key_id (params.integration says "tag").
inline bool FromTag(const ConversionRecord& c) { return c.key_id.empty(); }

// The normalized payload that decides, between two conversions of one identity, duplicate
// (the same) or payload mismatch (spec section 4): conversion_time, value, currency, order_id;
// and the source (tag or S2S), for TAG.md section 5's cross-source rule (ConversionOutcome).
struct ConversionPayload {
  UnixMicros conversion_time = 0;
  int64_t value_micros = 0;
  std::string currency;
  std::optional<std::string> order_id;
  bool from_tag = false;  // FromTag of the conversion

  static ConversionPayload Of(const ConversionRecord& c) {
    ConversionPayload p;
    p.conversion_time = c.conversion_time;
    p.value_micros = c.value_micros;
    p.currency = c.currency;
    p.order_id = c.order_id;
    p.from_tag = FromTag(c);
    return p;
  }
  bool operator==(const ConversionPayload&) const = default;
};

}  // namespace thrad
