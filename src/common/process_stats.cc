#include "common/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace thrad {
namespace {

std::optional<std::string> ReadFile(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::optional<int64_t> ToInt(std::string_view s) {
  int64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// The boot time, Unix seconds: the "btime" line of /proc/stat.
std::optional<int64_t> BootTimeSeconds() {
  std::optional<std::string> text = ReadFile("/proc/stat");
  if (!text) return std::nullopt;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("btime ", 0) == 0) return ToInt(std::string_view(line).substr(6));
  }
  return std::nullopt;
}

std::optional<uint64_t> OpenFds() {
  std::error_code ec;
  uint64_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  if (ec) return std::nullopt;
  return n;
}

}  // namespace

bool ParseProcStat(std::string_view stat, int64_t ticks_per_second, int64_t page_bytes,
                   int64_t boot_time_seconds, ProcessStats& out) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so the fields are
  // counted from the last ')'. Field n of proc(5) is fields[n - 3].
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return false;
  std::vector<std::string_view> fields;
  std::string_view rest = stat.substr(close + 1);
  while (!rest.empty()) {
    const size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const size_t end = rest.find_first_of(" \n");
    fields.push_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  if (fields.size() < 22) return false;
  const auto utime = ToInt(fields[14 - 3]);
  const auto stime = ToInt(fields[15 - 3]);
  const auto start_ticks = ToInt(fields[22 - 3]);
  const auto vsize = ToInt(fields[23 - 3]);
  const auto rss_pages = ToInt(fields[24 - 3]);
  if (!utime || !stime || !start_ticks || !vsize || !rss_pages) return false;
  const double ticks = static_cast<double>(ticks_per_second);
  out.cpu_seconds = static_cast<double>(*utime + *stime) / ticks;
  out.virtual_bytes = static_cast<uint64_t>(*vsize);
  out.resident_bytes = static_cast<uint64_t>(*rss_pages * page_bytes);
  out.start_time_seconds =
      static_cast<double>(boot_time_seconds) + static_cast<double>(*start_ticks) / ticks;
  return true;
}

ProcessStats ReadProcessStats() {
  ProcessStats stats;
  const std::optional<std::string> stat = ReadFile("/proc/self/stat");
  const std::optional<int64_t> boot = BootTimeSeconds();
  if (stat && boot) {
    ProcessStats parsed;
    if (ParseProcStat(*stat, sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE), *boot, parsed)) {
      stats = parsed;
    }
  }
  stats.open_fds = OpenFds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    stats.max_fds = static_cast<uint64_t>(limit.rlim_cur);
  }
  return stats;
}

}  // namespace thrad
