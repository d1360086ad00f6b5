#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "enrich/geo_db.h"
#include "enrich/ua_classifier.h"
#include "model/enrichment.h"

namespace thrad {

// What the request handlers call: one Enrichment per stored row from the client address and
// user agent, and the address as it is stored. Either source may be absent (no --geoip-db, no
// regexes): its fields stay nullopt.
//
// Thread-safety: as its sources; both are safe for concurrent use. Holds no state of its own.
class Enricher {
 public:
  // `geo` and `ua` are not owned and must outlive the Enricher; null disables that part.
  Enricher(const GeoResolver* geo, const UaClassifier* ua, bool anonymize_ip)
      : geo_(geo), ua_(ua), anonymize_ip_(anonymize_ip) {}

  // Geo from the full `client_ip`: the lookup happens before anonymization, which would
  // otherwise move the address into another /24 record's city. Device fields only when a
  // user agent is given (no User-Agent header: nullopt; an empty one: "Other"/"other").
  Enrichment Enrich(std::string_view client_ip, std::optional<std::string_view> user_agent) const;

  // The address to store: AnonymizeIp(client_ip) when configured, else client_ip; a value
  // that is not an address is returned unchanged.
  std::string StoredIp(std::string_view client_ip) const;

  // For the click redirect's bot filter: whether `user_agent` is a crawler (the "bot" device
  // class; HTTP libraries are not). False without a classifier.
  bool IsBot(std::string_view user_agent) const;

  bool has_geo() const { return geo_ != nullptr; }
  bool has_ua() const { return ua_ != nullptr; }
  bool anonymize_ip() const { return anonymize_ip_; }

 private:
  const GeoResolver* geo_;
  const UaClassifier* ua_;
  bool anonymize_ip_;
};

}  // namespace thrad
