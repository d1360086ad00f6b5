// Query parameters (pg_query.h): the text form of PostgreSQL arrays.
#include "store/postgres/pg_query.h"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>

#include "store/postgres/pg_text.h"

namespace thrad::test {
namespace {

TEST(PgArrayTest, QuotesEscapesAndNulls) {
  PgArray a;
  a.Add(std::string_view("plain"));
  a.Add(std::string_view("q\"b\\s,{x} y"));
  a.AddNull();
  a.Add(std::optional<std::string>("NULL"));
  a.Add(int64_t{-42});
  EXPECT_EQ(std::move(a).Finish(), R"({"plain","q\"b\\s,{x} y",NULL,"NULL",-42})");
  EXPECT_EQ(PgArray().Finish(), "{}");
}

TEST(PgArrayTest, DoublesInShortestFormAndBooleans) {
  PgArray a;
  a.Add(std::optional<double>(37.77));
  a.Add(std::optional<double>(-122.4194));
  a.Add(std::optional<double>());
  a.Add(std::optional<double>(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(std::move(a).Finish(), "{37.77,-122.4194,NULL,NULL}");
  PgArray b;
  b.Add(std::optional<bool>(true));
  b.Add(std::optional<bool>(false));
  b.Add(std::optional<bool>());
  EXPECT_EQ(std::move(b).Finish(), "{true,false,NULL}");
}

TEST(PgArrayTest, TextGoesInItsStoredForm) {
  PgArray a;
  a.Add(std::string("a\0b", 3));
  a.Add(std::optional<int64_t>());
  a.Add(std::optional<int64_t>(7));
  // The stored form "<marker>a\0b", quoted: its backslash doubled.
  EXPECT_EQ(std::move(a).Finish(), "{\"" + std::string(kPgEscapeMarker) + "a\\\\0b\",NULL,7}");
}

}  // namespace
}  // namespace thrad::test
