#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "testing/status_matchers.h"

namespace thrad::test {

// "2026-02-19T18:00:00.123Z": the timestamp every line starts with.
inline const std::regex kLogTimestamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");

// A fixture for tests of the process's logging: Logging writes into a temporary file instead
// of stdout, and Lines() reads back what it wrote.
class LogOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = std::tmpfile();
    ASSERT_NE(out_, nullptr);
  }
  void TearDown() override {
    // The default logger Logging leaves behind writes to out_: replace it before closing out_.
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
    std::fclose(out_);
  }

  std::unique_ptr<Logging> Start(LogFormat format, size_t queue_size = 8192) {
    auto logging = Logging::Start({.format = format, .queue_size = queue_size, .output = out_});
    EXPECT_OK(logging);
    return std::move(*logging);
  }

  // Every line written so far (call once the Logging is gone).
  std::vector<std::string> Lines() {
    std::fflush(out_);
    std::rewind(out_);
    std::string text;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof(buf), out_)) > 0;) text.append(buf, n);
    EXPECT_TRUE(text.empty() || text.back() == '\n');
    std::vector<std::string> lines;
    for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos;
         start = end + 1) {
      lines.push_back(text.substr(start, end - start));
    }
    return lines;
  }

  std::FILE* out_ = nullptr;
};

}  // namespace thrad::test
