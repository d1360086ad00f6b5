// What a PostgreSQL failure means to the store (pg_error.h).
#include "store/postgres/pg_error.h"

#include <gtest/gtest.h>

namespace thrad::test {
namespace {

TEST(PgErrorStatusTest, ClassifiesBySqlState) {
  struct Case {
    const char* sqlstate;
    StatusCode code;
  };
  for (const Case& c : {
           Case{"", StatusCode::kUnavailable},           // no SQLSTATE: the connection failed
           Case{"08006", StatusCode::kUnavailable},      // connection failure
           Case{"57P01", StatusCode::kUnavailable},      // admin shutdown
           Case{"53100", StatusCode::kUnavailable},      // disk full
           Case{"40001", StatusCode::kUnavailable},      // serialization failure
           Case{"40P01", StatusCode::kUnavailable},      // deadlock
           Case{"58030", StatusCode::kUnavailable},      // I/O error
           Case{"55P03", StatusCode::kUnavailable},      // lock not available
           Case{"55006", StatusCode::kUnavailable},      // object in use
           Case{"23505", StatusCode::kAlreadyExists},    // unique violation
           Case{"23514", StatusCode::kInvalidArgument},  // check violation
           Case{"22021", StatusCode::kInvalidArgument},  // bad encoding
           Case{"54000", StatusCode::kInvalidArgument},  // program limit exceeded
           Case{"42P01", StatusCode::kInternal},         // undefined table
           Case{"P0001", StatusCode::kInternal},         // raise exception
       }) {
    Status st = PgErrorStatus(c.sqlstate, "what happened");
    EXPECT_EQ(st.code(), c.code) << c.sqlstate;
    EXPECT_EQ(st.message(), "what happened") << c.sqlstate;
  }
}

TEST(PgErrorStatusTest, OnlySerializationFailuresAndDeadlocksAreRetried) {
  EXPECT_TRUE(IsRetryableSqlState("40001"));
  EXPECT_TRUE(IsRetryableSqlState("40P01"));
  for (const char* other : {"", "40002", "23505", "08006", "57P01"}) {
    EXPECT_FALSE(IsRetryableSqlState(other)) << other;
  }
}

TEST(PgFirstLineTest, KeepsTheFirstLineWithoutItsSeverity) {
  EXPECT_EQ(PgFirstLine("ERROR:  boom\nDETAIL:  more\n"), "boom");
  EXPECT_EQ(PgFirstLine("FATAL:  the database system is shutting down\n"),
            "the database system is shutting down");
  EXPECT_EQ(PgFirstLine("plain"), "plain");
  EXPECT_EQ(PgFirstLine(""), "unknown error");
  EXPECT_EQ(PgFirstLine("\nsecond"), "unknown error");
  EXPECT_EQ(PgFirstLine(nullptr), "unknown error");
}

}  // namespace
}  // namespace thrad::test
