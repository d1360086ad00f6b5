#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace thrad::test {

// Writes `spec_json` next to `out_mmdb` and runs tests/tools/make_mmdb.pl on it; false (with
// a test failure) when perl or the writer module is missing or the spec is wrong.
inline bool MakeMmdb(const std::string& spec_json, const std::string& out_mmdb) {
  std::string spec_path = out_mmdb + ".json";
  {
    std::ofstream spec(spec_path);
    spec << spec_json;
  }
  std::string cmd =
      "perl '" THRAD_SOURCE_DIR "/tests/tools/make_mmdb.pl' '" + spec_path + "' '" + out_mmdb + "'";
  int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << cmd;
  return rc == 0;
}

// A City database: 203.0.113.0/24 San Francisco, 198.51.100.0/24 a country without a
// subdivision or city except its one address 198.51.100.77 in Lyon, 2001:db8::/32 Berlin,
// 192.0.2.0/24 only a registered_country.
inline const char* kCitySpec = R"({
  "database_type": "GeoIP2-City",
  "networks": {
    "203.0.113.0/24": {
      "continent": {"code": "NA", "geoname_id": 6255149},
      "country": {"iso_code": "US", "geoname_id": 6252001, "names": {"en": "United States"}},
      "registered_country": {"iso_code": "US", "geoname_id": 6252001},
      "subdivisions": [{"iso_code": "CA", "geoname_id": 5332921, "names": {"en": "California"}}],
      "city": {"geoname_id": 5391959, "names": {"en": "San Francisco", "de": "San Francisco"}},
      "location": {"latitude": 37.7749, "longitude": -122.4194, "accuracy_radius": 10,
                   "time_zone": "America/Los_Angeles"},
      "postal": {"code": "94107"}
    },
    "198.51.100.0/24": {
      "country": {"iso_code": "FR"},
      "location": {"latitude": 48.8582, "longitude": 2.3387}
    },
    "198.51.100.77/32": {
      "country": {"iso_code": "FR"},
      "subdivisions": [{"iso_code": "ARA"}],
      "city": {"names": {"en": "Lyon"}},
      "location": {"latitude": 45.764, "longitude": 4.8357}
    },
    "192.0.2.0/24": {
      "registered_country": {"iso_code": "NL"}
    },
    "2001:db8::/32": {
      "country": {"iso_code": "DE"},
      "subdivisions": [{"iso_code": "BE"}, {"iso_code": "XX"}],
      "city": {"names": {"en": "Berlin"}},
      "location": {"latitude": 52.52, "longitude": 13.405},
      "traits": {"is_anycast": false}
    }
  }
})";

// A Country database (GeoLite2-Country layout): no subdivisions, city or location.
inline const char* kCountrySpec = R"({
  "database_type": "GeoLite2-Country",
  "networks": {
    "203.0.113.0/24": {"country": {"iso_code": "JP", "geoname_id": 1861060}},
    "2001:db8::/32": {"country": {"iso_code": "BR"}}
  }
})";

}  // namespace thrad::test
