#pragma once

#include <maxminddb.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "enrich/lru_cache.h"
#include "model/enrichment.h"

namespace thrad {

// One opened MaxMind DB file (GeoIP2/GeoLite2 City or Country, DB-IP Lite: the same layout),
// read into a private in-memory copy that libmaxminddb maps (so changes to the file on disk
// never reach a running server until it reloads). Immutable after Open, so Lookup is safe from any
// number of threads at once (libmaxminddb only reads the mapping). Reloading means opening a new
// GeoDb (GeoResolver); the mapping lives until the last shared_ptr holder lets go of it.
class GeoDb {
 public:
  // Maps `path`. A missing, unreadable or corrupt file is an error naming the path and
  // libmaxminddb's reason.
  static Result<std::shared_ptr<const GeoDb>> Open(const std::string& path);

  ~GeoDb();
  GeoDb(const GeoDb&) = delete;
  GeoDb& operator=(const GeoDb&) = delete;

  // Fills the geo_* fields of `out` for the IPv4 or IPv6 address `ip` (an IPv4-mapped IPv6
  // address is looked up as IPv4): geo_country from country.iso_code, else
  // registered_country.iso_code (anycast and satellite ranges have no country of their own);
  // geo_region "<country>-<subdivisions[0].iso_code>"; geo_city city.names.en; geo_lat/geo_lon
  // location.latitude/longitude. What the record lacks (a Country database has no city) and
  // everything for an unparsable or unknown address stays untouched (nullopt in a fresh
  // Enrichment). Never touches the ua_* fields.
  void Lookup(std::string_view ip, Enrichment& out) const;

  const std::string& path() const { return path_; }
  // The metadata's database_type, e.g. "GeoLite2-City", and build time (seconds since the
  // epoch): for the start-up summary and logs.
  std::string database_type() const;
  uint64_t build_epoch() const;

 private:
  // The geo fields of one data record.
  struct GeoFields {
    std::optional<std::string> country, region, city;
    std::optional<double> lat, lon;
  };
  static GeoFields Decode(MMDB_entry_s& entry);

  explicit GeoDb(std::string path) : path_(std::move(path)) {}

  std::string path_;
  MMDB_s mmdb_{};
  // Decoded records by their offset in the data section: the tree walk stays per address, the
  // six path look-ups and string copies are paid once per record (a city), not per request.
  // Bounded: a GeoLite2-City file has about 150,000 records; this keeps the busiest 16,384.
  mutable ShardedLruCache<GeoFields> records_{16'384};
};

// The database the server looks addresses up in, replaceable while requests run (SIGHUP or
// an admin command re-reads the file after a weekly GeoLite2 update).
//
// The file may be replaced in any way (renamed over, or copied over in place) before a
// reload: the server holds its own copy (GeoDb). A reload that reads a half-written file
// fails its checks and keeps the old database.
//
// Thread-safety: Lookup from any thread, concurrently with Reload. A lookup takes its own
// reference to the current GeoDb, so a Reload that swaps in a new one never unmaps the file
// under it; the old mapping goes away with the last lookup that holds it.
class GeoResolver {
 public:
  static Result<std::unique_ptr<GeoResolver>> Open(std::string path);

  // Opens the same path again and, when that works, makes it current. On failure the old
  // database stays in use and the error is returned. Concurrent Reloads are serialized.
  Status Reload();

  void Lookup(std::string_view ip, Enrichment& out) const;

  // The database in use now (for its metadata, or several lookups against one version).
  std::shared_ptr<const GeoDb> Current() const { return current_.load(); }
  const std::string& path() const { return path_; }

 private:
  GeoResolver(std::string path, std::shared_ptr<const GeoDb> db)
      : path_(std::move(path)), current_(std::move(db)) {}

  const std::string path_;
  // std::atomic<shared_ptr> (C++20) rather than a mutex around a shared_ptr copy: the reader's
  // load is one short internal lock-bit spin with no syscall, and readers never wait on
  // Reload's file I/O (Open runs before the swap).
  std::atomic<std::shared_ptr<const GeoDb>> current_;
  std::mutex reload_mu_;  // one Reload at a time
};

}  // namespace thrad
