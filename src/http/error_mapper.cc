#include "http/error_mapper.h"

#include <boost/json.hpp>

#include "common/json_numbers.h"

namespace thrad {
namespace {

struct KindInfo {
  unsigned status;
  const char* detail;
};

KindInfo InfoOf(ApiErrorKind kind) {
  switch (kind) {
    case ApiErrorKind::kBadRequest:
      return {400, "Bad request"};
    case ApiErrorKind::kInvalidClickUrl:
      return {400, "Invalid click URL"};
    case ApiErrorKind::kClickMissingBid:
      return {400, "Click missing bid id"};
    case ApiErrorKind::kMissingToken:
      return {401, "Missing bearer token"};
    case ApiErrorKind::kInvalidKey:
      return {401, "Invalid API key"};
    case ApiErrorKind::kForbiddenScope:
      return {403, "API key not permitted for this endpoint"};
    case ApiErrorKind::kInvalidClickSignature:
      return {403, "Invalid click signature"};
    case ApiErrorKind::kClickExpired:
      return {403, "Click expired"};
    case ApiErrorKind::kOriginNotAllowed:
      return {403, "Origin not allowed for this tag"};
    case ApiErrorKind::kNotFound:
      return {404, "Not found"};
    case ApiErrorKind::kTagNotFound:
      return {404, "Tag not found"};
    case ApiErrorKind::kClickNotFound:
      return {404, "Click not found"};
    case ApiErrorKind::kMethodNotAllowed:
      return {405, "Method not allowed"};
    case ApiErrorKind::kRequestTimeout:
      return {408, "Request timeout"};
    case ApiErrorKind::kClickUrlExpired:
      return {410, "Click URL expired"};
    case ApiErrorKind::kBodyTooLarge:
      return {413, "Request body too large"};
    case ApiErrorKind::kUnsupportedMediaType:
      return {415, "Content-Type must be application/json"};
    case ApiErrorKind::kValidation:
      return {422, "Validation error"};
    case ApiErrorKind::kIdempotencyMismatch:
      return {422, "Idempotency key reused with a different payload"};
    case ApiErrorKind::kRateLimited:
      return {429, "Rate limit exceeded"};
    case ApiErrorKind::kHeadersTooLarge:
      return {431, "Request header fields too large"};
    case ApiErrorKind::kUnavailable:
      return {503, "Service unavailable"};
  }
  return {500, "Internal server error"};
}

}  // namespace

ApiErrorKind ErrorKindOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return ApiErrorKind::kNotFound;
    case StatusCode::kInvalidArgument:
      return ApiErrorKind::kBadRequest;
    case StatusCode::kPermissionDenied:
      return ApiErrorKind::kForbiddenScope;
    default:
      return ApiErrorKind::kUnavailable;
  }
}

unsigned StatusOf(ApiErrorKind kind) { return InfoOf(kind).status; }

ApiResponse MakeErrorResponse(const ApiError& error, std::string_view request_id) {
  const KindInfo info = InfoOf(error.kind);
  boost::json::object body;
  body["detail"] = info.detail;
  if (error.kind == ApiErrorKind::kValidation) {
    body["errors"] = FieldErrorsToJson(error.errors);
  }
  body["request_id"] = request_id;

  ApiResponse res;
  res.status = info.status;
  res.content_type = "application/json";
  res.body = SerializeJson(body);
  switch (error.kind) {
    case ApiErrorKind::kMissingToken:
      res.AddHeader("WWW-Authenticate", "Bearer");
      break;
    case ApiErrorKind::kInvalidKey:
      res.AddHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      break;
    case ApiErrorKind::kMethodNotAllowed:
      res.AddHeader("Allow", error.allow);
      break;
    case ApiErrorKind::kUnavailable:
    case ApiErrorKind::kRateLimited:
      res.AddHeader("Retry-After", std::to_string(error.retry_after_seconds));
      break;
    default:
      break;
  }
  return res;
}

}  // namespace thrad
