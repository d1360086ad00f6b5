#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace thrad {

// The process's own resource use, as Prometheus client libraries export it (process_*
// metrics), read from /proc/self on each call. A value that could not be read is nullopt
// (and is then left out of /metrics rather than reported as 0).
struct ProcessStats {
  std::optional<double> cpu_seconds;         // user + system CPU time
  std::optional<uint64_t> resident_bytes;    // resident set size
  std::optional<uint64_t> virtual_bytes;     // virtual memory size
  std::optional<uint64_t> open_fds;          // open file descriptors
  std::optional<uint64_t> max_fds;           // RLIMIT_NOFILE, soft limit
  std::optional<double> start_time_seconds;  // process start, Unix seconds
};

// Reads /proc/self/stat, /proc/stat (boot time), /proc/self/fd and the file limit.
// Thread-safe; a few system calls, meant for a scrape, not the request path.
ProcessStats ReadProcessStats();

// Fills cpu_seconds, resident_bytes, virtual_bytes and start_time_seconds from the text of
// /proc/<pid>/stat, given the clock ticks per second, the page size and the boot time (Unix
// seconds, /proc/stat "btime"). False when the text is not such a line. Exposed for tests.
bool ParseProcStat(std::string_view stat, int64_t ticks_per_second, int64_t page_bytes,
                   int64_t boot_time_seconds, ProcessStats& out);

}  // namespace thrad
