#include "http/request_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace thrad {
namespace {

TEST(RequestIdTest, AcceptsValidClientIds) {
  EXPECT_TRUE(IsValidRequestId("a"));
  EXPECT_TRUE(IsValidRequestId("abc-DEF_012.3:4"));
  EXPECT_TRUE(IsValidRequestId(std::string(128, 'x')));
  EXPECT_EQ(ResolveRequestId("trace-1:2.3_4"), "trace-1:2.3_4");
}

TEST(RequestIdTest, RejectsInvalidClientIds) {
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'x')));
  EXPECT_FALSE(IsValidRequestId("has space"));
  EXPECT_FALSE(IsValidRequestId("semi;colon"));
  EXPECT_FALSE(IsValidRequestId("slash/"));
  EXPECT_FALSE(IsValidRequestId("nl\n"));
  EXPECT_FALSE(IsValidRequestId("\xc3\xa9"));
}

TEST(RequestIdTest, GeneratesUniqueValidIdsOtherwise) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id =
        ResolveRequestId(i % 2 ? std::optional<std::string_view>("bad id") : std::nullopt);
    EXPECT_TRUE(IsValidRequestId(id)) << id;
    EXPECT_EQ(id.rfind("req_", 0), 0u) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace thrad
