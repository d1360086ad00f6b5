#include "api/click_filter.h"

#include <gtest/gtest.h>

namespace thrad {
namespace {

// Which user agents are crawlers is the classifier's (tests/unit/enrich/click_bot_test.cc);
// here: the headers and the order of the reasons.

TEST(ClickFilterReasonTest, NothingKnownIsNoReason) {
  EXPECT_EQ(ClickFilterReason(std::nullopt, std::nullopt, false), std::nullopt);
  EXPECT_EQ(ClickFilterReason("", "", false), std::nullopt);
}

TEST(ClickFilterReasonTest, PrefetchHeaders) {
  for (const char* value : {"prefetch", "PREFETCH", "Prefetch", "prefetch;prerender",
                            "prefetch;anonymous-client-ip", " prefetch "}) {
    EXPECT_EQ(ClickFilterReason(value, std::nullopt, false), "prefetch") << value;
    EXPECT_EQ(ClickFilterReason(std::nullopt, value, false), "prefetch") << value;
  }
  EXPECT_EQ(ClickFilterReason("prerender", std::nullopt, false), std::nullopt);
  EXPECT_EQ(ClickFilterReason(std::nullopt, "preview", false), std::nullopt);
}

TEST(ClickFilterReasonTest, ACrawlerIsBot) {
  EXPECT_EQ(ClickFilterReason(std::nullopt, std::nullopt, true), "bot");
  EXPECT_EQ(ClickFilterReason("prerender", std::nullopt, true), "bot");
}

TEST(ClickFilterReasonTest, PrefetchWinsOverBot) {
  EXPECT_EQ(ClickFilterReason("prefetch", std::nullopt, true), "prefetch");
  EXPECT_EQ(ClickFilterReason(std::nullopt, "prefetch", true), "prefetch");
}

}  // namespace
}  // namespace thrad
