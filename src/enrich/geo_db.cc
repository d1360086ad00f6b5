#include "enrich/geo_db.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace thrad {
namespace {

// A string at `path...` of the looked-up record, or nullopt when absent or of another type.
template <typename... Path>
std::optional<std::string> GetString(MMDB_entry_s& entry, Path... path) {
  MMDB_entry_data_s data;
  if (MMDB_get_value(&entry, &data, path..., nullptr) != MMDB_SUCCESS) return std::nullopt;
  if (!data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) return std::nullopt;
  return std::string(data.utf8_string, data.data_size);
}

template <typename... Path>
std::optional<double> GetDouble(MMDB_entry_s& entry, Path... path) {
  MMDB_entry_data_s data;
  if (MMDB_get_value(&entry, &data, path..., nullptr) != MMDB_SUCCESS) return std::nullopt;
  if (!data.has_data) return std::nullopt;
  if (data.type == MMDB_DATA_TYPE_DOUBLE) return data.double_value;
  if (data.type == MMDB_DATA_TYPE_FLOAT) return static_cast<double>(data.float_value);
  return std::nullopt;
}

// `ip` as a sockaddr for MMDB_lookup_sockaddr: inet_pton instead of MMDB_lookup_string's
// getaddrinfo (slower, and needs a NUL-terminated copy anyway). An IPv4-mapped IPv6 address
// becomes plain IPv4 so it also resolves in an IPv4-only database.
bool ToSockaddr(std::string_view ip, sockaddr_storage& ss) {
  if (ip.empty() || ip.size() >= INET6_ADDRSTRLEN) return false;
  char text[INET6_ADDRSTRLEN];
  std::memcpy(text, ip.data(), ip.size());
  text[ip.size()] = '\0';
  std::memset(&ss, 0, sizeof ss);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) != 1) return false;
  if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
    in_addr a;
    std::memcpy(&a, v6->sin6_addr.s6_addr + 12, 4);
    std::memset(&ss, 0, sizeof ss);
    v4->sin_family = AF_INET;
    v4->sin_addr = a;
    return true;
  }
  v6->sin6_family = AF_INET6;
  return true;
}

// A private, in-memory copy of the file at `path` (an anonymous memfd), as a descriptor. The
// server maps the copy, never the operator's file: overwriting the file in place (`cp new.mmdb
// GeoLite2-City.mmdb`, the usual thing to do) would otherwise change the database under
// running look-ups, and truncating it would kill the process with SIGBUS. The copy costs the
// database's size in memory (about 60 MB for GeoLite2-City), twice during a reload.
Result<int> PrivateCopy(const std::string& path) {
  const int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    return Status::IoError("geoip database " + path + ": cannot open (" + std::strerror(errno) +
                           ")");
  }
  const int out = ::memfd_create("thrad-geoip", MFD_CLOEXEC);
  if (out < 0) {
    const int saved = errno;
    ::close(in);
    return Status::IoError(std::string("memfd_create: ") + std::strerror(saved));
  }
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(in, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    ssize_t written = 0;
    while (n > 0 && written < n) {
      const ssize_t w = ::write(out, buf + written, static_cast<size_t>(n - written));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) break;
      written += w;
    }
    if (n < 0 || written < n) {
      const int saved = errno;
      ::close(in);
      ::close(out);
      return Status::IoError("geoip database " + path + ": cannot read (" + std::strerror(saved) +
                             ")");
    }
  }
  ::close(in);
  return out;
}

}  // namespace

Result<std::shared_ptr<const GeoDb>> GeoDb::Open(const std::string& path) {
  Result<int> copy = PrivateCopy(path);
  if (!copy.ok()) return copy.status();
  const std::string copy_path = "/proc/self/fd/" + std::to_string(*copy);
  std::shared_ptr<GeoDb> db(new GeoDb(path));
  int st = MMDB_open(copy_path.c_str(), MMDB_MODE_MMAP, &db->mmdb_);
  const int saved_errno = errno;
  ::close(*copy);  // the mapping, if any, keeps the memory
  if (st != MMDB_SUCCESS) {
    // MMDB_open leaves nothing to close on failure; mark it so the destructor skips it.
    db->mmdb_.file_content = nullptr;
    std::string msg = "geoip database " + path + ": " + MMDB_strerror(st);
    if (st == MMDB_FILE_OPEN_ERROR || st == MMDB_IO_ERROR) {
      msg += std::string(" (") + std::strerror(saved_errno) + ")";
      return Status::IoError(std::move(msg));
    }
    return Status::Corruption(std::move(msg));
  }
  return std::shared_ptr<const GeoDb>(std::move(db));
}

GeoDb::~GeoDb() {
  if (mmdb_.file_content != nullptr) MMDB_close(&mmdb_);
}

std::string GeoDb::database_type() const {
  const char* t = mmdb_.metadata.database_type;
  return t != nullptr ? t : "";
}

uint64_t GeoDb::build_epoch() const { return mmdb_.metadata.build_epoch; }

void GeoDb::Lookup(std::string_view ip, Enrichment& out) const {
  sockaddr_storage ss;
  if (!ToSockaddr(ip, ss)) return;
  int mmdb_error = MMDB_SUCCESS;
  MMDB_lookup_result_s r =
      MMDB_lookup_sockaddr(&mmdb_, reinterpret_cast<const sockaddr*>(&ss), &mmdb_error);
  // An IPv6 address in an IPv4-only database is MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR:
  // unknown, like any other address the database does not cover.
  if (mmdb_error != MMDB_SUCCESS || !r.found_entry) return;

  // Many addresses share one data record (a city's): decode each record once.
  const uint32_t offset = r.entry.offset;
  const std::string_view key(reinterpret_cast<const char*>(&offset), sizeof offset);
  std::optional<GeoFields> fields = records_.Get(key);
  if (!fields) {
    fields = Decode(r.entry);
    records_.Put(key, *fields);
  }
  out.geo_country = std::move(fields->country);
  out.geo_region = std::move(fields->region);
  out.geo_city = std::move(fields->city);
  out.geo_lat = fields->lat;
  out.geo_lon = fields->lon;
}

GeoDb::GeoFields GeoDb::Decode(MMDB_entry_s& entry) {
  GeoFields out;
  std::optional<std::string> country = GetString(entry, "country", "iso_code");
  if (!country) country = GetString(entry, "registered_country", "iso_code");
  if (country) {
    if (std::optional<std::string> sub = GetString(entry, "subdivisions", "0", "iso_code")) {
      out.region = *country + "-" + *sub;
    }
    out.country = std::move(country);
  }
  out.city = GetString(entry, "city", "names", "en");
  std::optional<double> lat = GetDouble(entry, "location", "latitude");
  std::optional<double> lon = GetDouble(entry, "location", "longitude");
  // One without the other is no position.
  if (lat && lon) {
    out.lat = lat;
    out.lon = lon;
  }
  return out;
}

Result<std::unique_ptr<GeoResolver>> GeoResolver::Open(std::string path) {
  Result<std::shared_ptr<const GeoDb>> db = GeoDb::Open(path);
  if (!db.ok()) return db.status();
  return std::unique_ptr<GeoResolver>(new GeoResolver(std::move(path), std::move(db).value()));
}

Status GeoResolver::Reload() {
  std::lock_guard lock(reload_mu_);
  Result<std::shared_ptr<const GeoDb>> db = GeoDb::Open(path_);
  if (!db.ok()) return db.status();
  // The previous GeoDb is released here unless a concurrent Lookup still holds it; then
  // that lookup's reference unmaps it when it finishes.
  current_.store(std::move(db).value());
  return Status::Ok();
}

void GeoResolver::Lookup(std::string_view ip, Enrichment& out) const {
  std::shared_ptr<const GeoDb> db = current_.load();
  if (db) db->Lookup(ip, out);
}

}  // namespace thrad
