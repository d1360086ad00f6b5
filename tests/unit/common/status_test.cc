#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

TEST(StatusTest, DefaultIsOk) {
  const Status st;
  EXPECT_OK(st);
  EXPECT_EQ(st.code(), StatusCode::kOk);
  EXPECT_EQ(st.message(), "");
  EXPECT_EQ(st.ToString(), "OK");
  EXPECT_OK(Status::Ok());
  EXPECT_EQ(Status::Ok().code(), StatusCode::kOk);
}

TEST(StatusTest, EachFactorySetsItsCodeAndMessage) {
  struct Case {
    Status status;
    StatusCode code;
    std::string text;
  };
  const std::vector<Case> cases = {
      {Status::InvalidArgument("bad flag"), StatusCode::kInvalidArgument,
       "Invalid argument: bad flag"},
      {Status::NotFound("no key"), StatusCode::kNotFound, "Not found: no key"},
      {Status::AlreadyExists("dup"), StatusCode::kAlreadyExists, "Already exists: dup"},
      {Status::PermissionDenied("scope"), StatusCode::kPermissionDenied,
       "Permission denied: scope"},
      {Status::Unavailable("queue full"), StatusCode::kUnavailable, "Unavailable: queue full"},
      {Status::IoError("disk"), StatusCode::kIoError, "IO error: disk"},
      {Status::Corruption("bad page"), StatusCode::kCorruption, "Corruption: bad page"},
      {Status::Internal("bug"), StatusCode::kInternal, "Internal: bug"},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(c.status.ok()) << c.text;
    EXPECT_EQ(c.status.code(), c.code) << c.text;
    EXPECT_EQ(c.status.ToString(), c.text);
  }
  EXPECT_EQ(Status::NotFound("no key").message(), "no key");
}

TEST(StatusTest, ConstructedFromCodeAndMessage) {
  const Status st(StatusCode::kUnavailable, "shutting down");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(st.message(), "shutting down");
  EXPECT_EQ(st.ToString(), "Unavailable: shutting down");
}

TEST(StatusTest, EmptyMessageStillNamesTheCode) {
  EXPECT_EQ(Status::Internal("").ToString(), "Internal: ");
}

TEST(StatusTest, CopiesAndMovesKeepCodeAndMessage) {
  const Status original = Status::IoError("fsync failed");
  Status copy = original;
  EXPECT_EQ(copy.code(), StatusCode::kIoError);
  EXPECT_EQ(copy.message(), "fsync failed");
  const Status moved = std::move(copy);
  EXPECT_EQ(moved.code(), StatusCode::kIoError);
  EXPECT_EQ(moved.message(), "fsync failed");
  EXPECT_EQ(original.message(), "fsync failed");
}

TEST(ResultTest, HoldsAValue) {
  Result<int> r = 42;
  ASSERT_OK(r);
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  EXPECT_OK(r.status());
  EXPECT_EQ(r.status().code(), StatusCode::kOk);
  *r = 7;
  EXPECT_EQ(r.value(), 7);
}

TEST(ResultTest, HoldsAStatus) {
  const Result<int> r = Status::NotFound("no such key");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no such key");
}

TEST(ResultTest, ArrowReachesTheValue) {
  Result<std::string> r = std::string("abc");
  ASSERT_OK(r);
  EXPECT_EQ(r->size(), 3u);
  r->append("d");
  EXPECT_EQ(*r, "abcd");
  const Result<std::string>& cr = r;
  EXPECT_EQ(cr->size(), 4u);
  EXPECT_EQ(*cr, "abcd");
  EXPECT_EQ(cr.value(), "abcd");
}

TEST(ResultTest, MovesOutAMoveOnlyValue) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_OK(r);
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 5);
  EXPECT_EQ(r.value(), nullptr);  // the moved-from value stays in the Result
}

TEST(ResultTest, MovingTheResultMovesItsValueOrStatus) {
  Result<std::string> value = std::string("payload");
  Result<std::string> moved_value = std::move(value);
  ASSERT_OK(moved_value);
  EXPECT_EQ(*moved_value, "payload");

  Result<std::string> error = Status::Corruption("bad row");
  Result<std::string> moved_error = std::move(error);
  EXPECT_FALSE(moved_error.ok());
  EXPECT_EQ(moved_error.status().ToString(), "Corruption: bad row");
}

// Runs `steps` through THRAD_RETURN_IF_ERROR, counting the steps that ran.
Status RunSteps(const std::vector<Status>& steps, int& ran) {
  for (const Status& step : steps) {
    THRAD_RETURN_IF_ERROR([&] {
      ++ran;
      return step;
    }());
  }
  return Status::Internal("all steps ran");
}

TEST(ReturnIfErrorTest, ReturnsTheFirstError) {
  int ran = 0;
  const Status st =
      RunSteps({Status::Ok(), Status::Unavailable("first"), Status::IoError("second")}, ran);
  EXPECT_EQ(ran, 2);  // the expression is evaluated once per step, and not after the error
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(st.message(), "first");
}

TEST(ReturnIfErrorTest, GoesOnWhileOk) {
  int ran = 0;
  const Status st = RunSteps({Status::Ok(), Status::Ok()}, ran);
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(st.ToString(), "Internal: all steps ran");
}

TEST(ReturnIfErrorTest, WorksAsOneStatementUnderIf) {
  auto f = [](bool check, const Status& s) -> Status {
    if (check)
      THRAD_RETURN_IF_ERROR(s);
    else
      return Status::NotFound("unchecked");
    return Status::Ok();
  };
  EXPECT_OK(f(true, Status::Ok()));
  EXPECT_EQ(f(true, Status::IoError("x")).code(), StatusCode::kIoError);
  EXPECT_EQ(f(false, Status::IoError("x")).code(), StatusCode::kNotFound);
}

TEST(StatusMatchersTest, ExplainWhyNotOk) {
  EXPECT_EQ(WhyNotOk(Status::NotFound("gone")), "Not found: gone");
  EXPECT_EQ(WhyNotOk(Result<int>(Status::IoError("disk"))), "IO error: disk");
  const ::testing::AssertionResult failure = IsOk("r", Result<int>(Status::Internal("bug")));
  EXPECT_FALSE(failure);
  EXPECT_STREQ(failure.message(), "r is not ok: Internal: bug");
  EXPECT_TRUE(IsOk("s", Status::Ok()));
}

}  // namespace
}  // namespace thrad::test
