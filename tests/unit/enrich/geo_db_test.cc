#include "enrich/geo_db.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "enrich/mmdb_fixture.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace thrad {
namespace {

using ::testing::HasSubstr;

class GeoDbTest : public ::testing::Test {
 protected:
  // make_mmdb.pl takes over a second (perl loads Moose): the databases are written once.
  static void SetUpTestSuite() {
    shared_ = new test::TempDir();
    city_ = shared_->File("city.mmdb");
    country_ = shared_->File("country.mmdb");
    made_ = test::MakeMmdb(test::kCitySpec, city_) && test::MakeMmdb(test::kCountrySpec, country_);
  }
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(made_); }

  Enrichment LookupIn(const std::string& path, std::string_view ip) {
    Result<std::shared_ptr<const GeoDb>> db = GeoDb::Open(path);
    EXPECT_OK(db);
    Enrichment e;
    if (db.ok()) (*db)->Lookup(ip, e);
    return e;
  }

  static inline test::TempDir* shared_ = nullptr;
  static inline std::string city_;
  static inline std::string country_;
  static inline bool made_ = false;
  test::TempDir dir_;  // this test's own files
};

TEST_F(GeoDbTest, CityIpv4FillsEveryGeoField) {
  Enrichment e = LookupIn(city_, "203.0.113.77");
  EXPECT_EQ(e.geo_country, "US");
  EXPECT_EQ(e.geo_region, "US-CA");
  EXPECT_EQ(e.geo_city, "San Francisco");
  ASSERT_TRUE(e.geo_lat && e.geo_lon);
  EXPECT_DOUBLE_EQ(*e.geo_lat, 37.7749);
  EXPECT_DOUBLE_EQ(*e.geo_lon, -122.4194);
  // Geo never touches the device fields.
  EXPECT_EQ(e.ua_browser, std::nullopt);
  EXPECT_EQ(e.is_bot, std::nullopt);
}

TEST_F(GeoDbTest, CityIpv6FillsEveryGeoFieldFromTheFirstSubdivision) {
  Enrichment e = LookupIn(city_, "2001:db8:1234::1");
  EXPECT_EQ(e.geo_country, "DE");
  EXPECT_EQ(e.geo_region, "DE-BE");
  EXPECT_EQ(e.geo_city, "Berlin");
  ASSERT_TRUE(e.geo_lat && e.geo_lon);
  EXPECT_DOUBLE_EQ(*e.geo_lat, 52.52);
  EXPECT_DOUBLE_EQ(*e.geo_lon, 13.405);
}

TEST_F(GeoDbTest, Ipv4MappedIpv6IsLookedUpAsIpv4) {
  EXPECT_EQ(LookupIn(city_, "::ffff:203.0.113.5").geo_city, "San Francisco");
}

TEST_F(GeoDbTest, CountryWithoutSubdivisionOrCity) {
  Enrichment e = LookupIn(city_, "198.51.100.1");
  EXPECT_EQ(e.geo_country, "FR");
  EXPECT_EQ(e.geo_region, std::nullopt);
  EXPECT_EQ(e.geo_city, std::nullopt);
  EXPECT_TRUE(e.geo_lat.has_value());
}

TEST_F(GeoDbTest, FallsBackToRegisteredCountry) {
  Enrichment e = LookupIn(city_, "192.0.2.9");
  EXPECT_EQ(e.geo_country, "NL");
  EXPECT_EQ(e.geo_region, std::nullopt);
  EXPECT_EQ(e.geo_lat, std::nullopt);
}

TEST_F(GeoDbTest, UnknownOrUnparsableAddressLeavesEverythingNull) {
  for (std::string_view ip : {"8.8.8.8", "2a00:1450::1", "", "not an ip", "203.0.113",
                              "203.0.113.5:443", "[2001:db8::1]", "203.0.113.5 "}) {
    EXPECT_EQ(LookupIn(city_, ip), Enrichment()) << ip;
  }
}

TEST_F(GeoDbTest, CountryDatabaseHasNoRegionCityOrPosition) {
  Result<std::shared_ptr<const GeoDb>> db = GeoDb::Open(country_);
  ASSERT_OK(db);
  EXPECT_EQ((*db)->database_type(), "GeoLite2-Country");
  EXPECT_GT((*db)->build_epoch(), 0u);
  Enrichment v4;
  (*db)->Lookup("203.0.113.1", v4);
  Enrichment want;
  want.geo_country = "JP";
  EXPECT_EQ(v4, want);
  Enrichment v6;
  (*db)->Lookup("2001:db8::2", v6);
  want.geo_country = "BR";
  EXPECT_EQ(v6, want);
}

TEST_F(GeoDbTest, MissingFileIsAnErrorNamingThePath) {
  std::string path = dir_.File("nope.mmdb");
  Result<std::shared_ptr<const GeoDb>> db = GeoDb::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kIoError);
  EXPECT_THAT(db.status().message(), HasSubstr(path));
  EXPECT_THAT(db.status().message(), HasSubstr("No such file"));
}

TEST_F(GeoDbTest, CorruptFileIsAnErrorNamingThePath) {
  std::string path = dir_.File("corrupt.mmdb");
  std::ofstream(path) << "this is not a MaxMind database, just some bytes\n";
  Result<std::shared_ptr<const GeoDb>> db = GeoDb::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(db.status().message(), HasSubstr(path));
  EXPECT_THAT(db.status().message(), HasSubstr("invalid"));  // libmaxminddb's words

  // A real database cut short is corrupt too.
  std::string truncated = dir_.File("truncated.mmdb");
  std::filesystem::copy_file(city_, truncated);
  std::filesystem::resize_file(truncated, std::filesystem::file_size(city_) / 2);
  EXPECT_FALSE(GeoDb::Open(truncated).ok());
}

class GeoResolverTest : public GeoDbTest {};

TEST_F(GeoResolverTest, ReloadKeepsTheOldDatabaseOnABadFileAndPicksUpANewGoodOne) {
  std::string live = dir_.File("live.mmdb");
  std::filesystem::copy_file(city_, live);
  Result<std::unique_ptr<GeoResolver>> r = GeoResolver::Open(live);
  ASSERT_OK(r);
  GeoResolver& geo = **r;
  Enrichment e;
  geo.Lookup("203.0.113.1", e);
  EXPECT_EQ(e.geo_country, "US");

  // A bad file in its place: the error comes back and lookups go on against the old one.
  // Replaced by rename, as database updaters do: rewriting a mapped file in place would
  // change the old database under its readers (GeoResolver's documented rule).
  std::ofstream(live + ".tmp") << "garbage";
  std::filesystem::rename(live + ".tmp", live);
  Status st = geo.Reload();
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr(live));
  Enrichment still;
  geo.Lookup("203.0.113.1", still);
  EXPECT_EQ(still.geo_country, "US");

  // A missing file: same.
  std::filesystem::remove(live);
  EXPECT_FALSE(geo.Reload().ok());
  EXPECT_EQ(geo.Current()->database_type(), "GeoIP2-City");

  // A good new file (replaced by rename, as updaters do): taken.
  std::filesystem::copy_file(country_, live + ".tmp");
  std::filesystem::rename(live + ".tmp", live);
  ASSERT_OK(geo.Reload());
  Enrichment now;
  geo.Lookup("203.0.113.1", now);
  EXPECT_EQ(now.geo_country, "JP");
  EXPECT_EQ(now.geo_city, std::nullopt);
  EXPECT_EQ(geo.Current()->database_type(), "GeoLite2-Country");
}

TEST_F(GeoResolverTest, OpenFailsOnAMissingFile) {
  Result<std::unique_ptr<GeoResolver>> r = GeoResolver::Open(dir_.File("absent.mmdb"));
  EXPECT_FALSE(r.ok());
}

TEST_F(GeoResolverTest, ReloadHammeredWhileTwoThreadsLookUp) {
  // Two files at two paths; the resolver's path is a symlink flipped between them, so every
  // Reload maps a different database while lookups run.
  std::string link = dir_.File("current.mmdb");
  std::filesystem::create_symlink(city_, link);
  Result<std::unique_ptr<GeoResolver>> r = GeoResolver::Open(link);
  ASSERT_OK(r);
  GeoResolver& geo = **r;

  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::atomic<long> lookups{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        Enrichment e;
        geo.Lookup("203.0.113.42", e);
        // Old (city: US, San Francisco) or new (country: JP, no city), never a mix or nothing.
        bool old_db = e.geo_country == "US" && e.geo_city == "San Francisco";
        bool new_db = e.geo_country == "JP" && !e.geo_city && !e.geo_lat;
        if (!old_db && !new_db) bad.fetch_add(1);
        lookups.fetch_add(1);
      }
    });
  }
  int reloads = 0;
  for (int i = 0; i < 300; ++i) {
    std::string tmp = link + ".tmp";
    std::filesystem::create_symlink(i % 2 == 0 ? country_ : city_, tmp);
    std::filesystem::rename(tmp, link);
    if (geo.Reload().ok()) ++reloads;
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(reloads, 300);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(lookups.load(), 0);
}

}  // namespace
}  // namespace thrad
