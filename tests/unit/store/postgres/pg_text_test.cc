// The stored form of PostgreSQL text (pg_text.h): NUL and the marker round-trip one to one.
#include "store/postgres/pg_text.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace thrad::test {
namespace {

TEST(PgTextTest, NulAndMarkerRoundTripOneToOne) {
  const std::string marker(kPgEscapeMarker);
  for (std::string s : {std::string("plain"), std::string("a\0b", 3), std::string("\0", 1),
                        std::string("back\\slash\\0"), marker, marker + "x",
                        marker + std::string("\0\\", 2), std::string("")}) {
    const std::string stored = PgEncodeText(s);
    EXPECT_EQ(stored.find('\0'), std::string::npos) << s;
    EXPECT_EQ(PgDecodeText(stored), s);
    EXPECT_EQ(stored == s, !PgNeedsEscape(s));
  }
  EXPECT_NE(PgEncodeText(std::string("a\0b", 3)), PgEncodeText("a\\0b"));
}

TEST(PgTextTest, TextParamsAreInTheStoredForm) {
  EXPECT_EQ(PgTextParam(std::string_view("plain")), "plain");
  EXPECT_EQ(PgTextParam(std::string("a\0b", 3)), PgEncodeText(std::string("a\0b", 3)));
  EXPECT_EQ(PgTextParam(std::optional<std::string>()), std::nullopt);
  EXPECT_EQ(PgTextParam(std::optional<std::string>(std::string("\0", 1))),
            PgEncodeText(std::string("\0", 1)));
}

}  // namespace
}  // namespace thrad::test
