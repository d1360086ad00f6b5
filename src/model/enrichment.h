#pragma once

#include <optional>
#include <string>

namespace thrad {

// What the server adds to every stored row (events, conversions, clicks) from the request's IP
// address and user agent: geo from `serve --geoip-db` (libmaxminddb), device from the
// ua-parser regexes (uap-core). A field is nullopt when its source is missing: no database, an
// address the database does not know, no regexes loaded.
struct Enrichment {
  std::optional<std::string> geo_country;  // ISO 3166-1 alpha-2, e.g. "US"
  std::optional<std::string> geo_region;   // ISO 3166-2, "<country>-<subdivision>", e.g. "US-CA"
  std::optional<std::string> geo_city;     // English name
  std::optional<double> geo_lat;
  std::optional<double> geo_lon;
  std::optional<std::string> ua_browser;          // ua-parser's family, e.g. "Chrome"
  std::optional<std::string> ua_browser_version;  // major version only, e.g. "131"
  std::optional<std::string> ua_os;               // ua-parser's OS family, e.g. "Android"
  std::optional<std::string> ua_device;           // "desktop", "mobile", "tablet", "bot" or "other"
  std::optional<bool> is_bot;

  bool operator==(const Enrichment&) const = default;
};

}  // namespace thrad
