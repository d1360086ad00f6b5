#include "common/process_stats.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

namespace thrad {
namespace {

TEST(ProcessStatsTest, ParsesProcStatWhateverTheCommandName) {
  // proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24; comm may hold ") (".
  const char* stat =
      "4242 (thrad ) (x) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 150 0 0 20 0 5 0 123400 "
      "104857600 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  ProcessStats s;
  ASSERT_TRUE(ParseProcStat(stat, 100, 4096, 1'700'000'000, s));
  EXPECT_DOUBLE_EQ(*s.cpu_seconds, 4.0);  // (250 + 150) / 100
  EXPECT_EQ(*s.virtual_bytes, 104857600u);
  EXPECT_EQ(*s.resident_bytes, 2048u * 4096u);
  EXPECT_DOUBLE_EQ(*s.start_time_seconds, 1'700'000'000 + 1234.0);
}

TEST(ProcessStatsTest, RefusesTextThatIsNotAStatLine) {
  ProcessStats s;
  EXPECT_FALSE(ParseProcStat("", 100, 4096, 0, s));
  EXPECT_FALSE(ParseProcStat("1 (x) S 1 2 3", 100, 4096, 0, s));
  EXPECT_FALSE(
      ParseProcStat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 x 1 0 0 20 0 1 0 5 6 7\n", 100, 4096, 0, s));
  EXPECT_FALSE(s.cpu_seconds.has_value());
}

TEST(ProcessStatsTest, ReadsThisProcess) {
  const ProcessStats s = ReadProcessStats();
  ASSERT_TRUE(s.cpu_seconds && s.resident_bytes && s.virtual_bytes && s.open_fds && s.max_fds &&
              s.start_time_seconds);
  EXPECT_GE(*s.cpu_seconds, 0.0);
  EXPECT_GT(*s.resident_bytes, 1024u * 1024u);
  EXPECT_GE(*s.virtual_bytes, *s.resident_bytes);
  EXPECT_GE(*s.open_fds, 3u);  // stdin, stdout, stderr at least
  EXPECT_GE(*s.max_fds, *s.open_fds);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(*s.start_time_seconds, now + 1);
  EXPECT_GT(*s.start_time_seconds, now - 3600);  // this test binary started moments ago
}

}  // namespace
}  // namespace thrad
