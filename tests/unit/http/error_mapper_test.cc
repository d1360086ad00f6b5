#include "http/error_mapper.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/router.h"

namespace thrad {
namespace {

std::string HeaderOf(const ApiResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

boost::json::object BodyOf(const ApiResponse& r) { return boost::json::parse(r.body).as_object(); }

TEST(ErrorMapperTest, EveryKindHasItsStatusAndDetail) {
  struct Case {
    ApiErrorKind kind;
    unsigned status;
    const char* detail;
  };
  const Case cases[] = {
      {ApiErrorKind::kBadRequest, 400, "Bad request"},
      {ApiErrorKind::kClickMissingBid, 400, "Click missing bid id"},
      {ApiErrorKind::kMissingToken, 401, "Missing bearer token"},
      {ApiErrorKind::kInvalidKey, 401, "Invalid API key"},
      {ApiErrorKind::kForbiddenScope, 403, "API key not permitted for this endpoint"},
      {ApiErrorKind::kNotFound, 404, "Not found"},
      {ApiErrorKind::kClickNotFound, 404, "Click not found"},
      {ApiErrorKind::kInvalidClickSignature, 403, "Invalid click signature"},
      {ApiErrorKind::kClickExpired, 403, "Click expired"},
      {ApiErrorKind::kOriginNotAllowed, 403, "Origin not allowed for this tag"},
      {ApiErrorKind::kTagNotFound, 404, "Tag not found"},
      {ApiErrorKind::kMethodNotAllowed, 405, "Method not allowed"},
      {ApiErrorKind::kRequestTimeout, 408, "Request timeout"},
      {ApiErrorKind::kBodyTooLarge, 413, "Request body too large"},
      {ApiErrorKind::kUnsupportedMediaType, 415, "Content-Type must be application/json"},
      {ApiErrorKind::kValidation, 422, "Validation error"},
      {ApiErrorKind::kIdempotencyMismatch, 422, "Idempotency key reused with a different payload"},
      {ApiErrorKind::kRateLimited, 429, "Rate limit exceeded"},
      {ApiErrorKind::kHeadersTooLarge, 431, "Request header fields too large"},
      {ApiErrorKind::kUnavailable, 503, "Service unavailable"},
  };
  for (const Case& c : cases) {
    ApiResponse r = MakeErrorResponse(c.kind, "rid-1");
    EXPECT_EQ(r.status, c.status) << c.detail;
    EXPECT_EQ(StatusOf(c.kind), c.status) << c.detail;
    EXPECT_EQ(r.content_type, "application/json");
    auto body = BodyOf(r);
    EXPECT_EQ(body.at("detail").as_string(), c.detail);
    EXPECT_EQ(body.at("request_id").as_string(), "rid-1");
    EXPECT_EQ(body.contains("errors"), c.kind == ApiErrorKind::kValidation);
  }
}

TEST(ErrorMapperTest, AuthHeaders) {
  EXPECT_EQ(HeaderOf(MakeErrorResponse(ApiErrorKind::kMissingToken, "r"), "WWW-Authenticate"),
            "Bearer");
  EXPECT_EQ(HeaderOf(MakeErrorResponse(ApiErrorKind::kInvalidKey, "r"), "WWW-Authenticate"),
            "Bearer error=\"invalid_token\"");
  EXPECT_EQ(HeaderOf(MakeErrorResponse(ApiErrorKind::kNotFound, "r"), "WWW-Authenticate"),
            "<absent>");
}

TEST(ErrorMapperTest, RetryAfterAndAllow) {
  ApiError unavailable(ApiErrorKind::kUnavailable);
  unavailable.retry_after_seconds = 3;
  EXPECT_EQ(HeaderOf(MakeErrorResponse(unavailable, "r"), "Retry-After"), "3");
  EXPECT_EQ(HeaderOf(MakeErrorResponse(ApiErrorKind::kRateLimited, "r"), "Retry-After"), "1");
  ApiError method(ApiErrorKind::kMethodNotAllowed);
  EXPECT_EQ(HeaderOf(MakeErrorResponse(method, "r"), "Allow"), "POST");
}

TEST(ErrorMapperTest, ValidationListsEveryError) {
  std::vector<FieldError> errors = {
      {{std::string("body"), std::string("currency")}, "bad currency", "value_error"},
      {{std::string("body"), std::string("events"), int64_t{3}}, "Field required", "missing"},
  };
  auto body = BodyOf(MakeErrorResponse({ApiErrorKind::kValidation, errors}, "r"));
  const auto& list = body.at("errors").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(boost::json::serialize(list[0].at("loc")), R"(["body","currency"])");
  EXPECT_EQ(boost::json::serialize(list[1].at("loc")), R"(["body","events",3])");
  EXPECT_EQ(list[1].at("type").as_string(), "missing");
}

TEST(ErrorKindOfTest, MapsEachStatusCode) {
  EXPECT_EQ(ErrorKindOf(Status::NotFound("x")), ApiErrorKind::kNotFound);
  EXPECT_EQ(ErrorKindOf(Status::InvalidArgument("x")), ApiErrorKind::kBadRequest);
  EXPECT_EQ(ErrorKindOf(Status::PermissionDenied("x")), ApiErrorKind::kForbiddenScope);
  // Every failure of the store or the writer is a 503 the client retries.
  for (const Status& s : {Status::Unavailable("x"), Status::IoError("x"), Status::Corruption("x"),
                          Status::Internal("x"), Status::AlreadyExists("x")}) {
    EXPECT_EQ(ErrorKindOf(s), ApiErrorKind::kUnavailable) << s.ToString();
    EXPECT_EQ(StatusOf(ErrorKindOf(s)), 503u);
  }
}

}  // namespace
}  // namespace thrad
