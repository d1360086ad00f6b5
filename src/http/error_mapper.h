#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/field_error.h"
#include "common/status.h"
#include "http/api_response.h"

namespace thrad {

// Every error the API can answer. The one place that knows their status codes, bodies and
// headers is MakeErrorResponse (API.md sections 1, 2 and 4; CLICKS.md; TAG.md sections 2-5).
enum class ApiErrorKind {
  kBadRequest,             // 400 malformed HTTP
  kInvalidClickUrl,        // 400 a click URL's parameters missing, too long or malformed
  kClickMissingBid,        // 400 the click has no bid id
  kMissingToken,           // 401 no/other-scheme/empty Authorization
  kInvalidKey,             // 401 unknown, revoked or expired key
  kForbiddenScope,         // 403 key lacks the endpoint's scope
  kInvalidClickSignature,  // 403 unknown or revoked kid, or a signature that does not match
  kClickExpired,           // 403 a browser conversion's thrad_exp is past (TAG.md section 5)
  kOriginNotAllowed,       // 403 the request's origin is not one its tag allows (TAG.md 2)
  kNotFound,               // 404 unknown path
  kClickNotFound,          // 404 click missing or another partner's
  kTagNotFound,            // 404 a browser request's tag is unknown or removed (TAG.md 2)
  kMethodNotAllowed,       // 405 (Allow: POST or GET)
  kRequestTimeout,         // 408 the request did not arrive in time
  kClickUrlExpired,        // 410 a click URL past its exp
  kBodyTooLarge,           // 413
  kUnsupportedMediaType,   // 415
  kValidation,             // 422 with the list of field errors
  kIdempotencyMismatch,    // 422 same identity, different payload
  kRateLimited,            // 429
  kHeadersTooLarge,        // 431
  kUnavailable,            // 503 overload or storage failure
};

struct ApiError {
  ApiError(ApiErrorKind k) : kind(k) {}  // NOLINT: implicit, errors are built inline
  ApiError(ApiErrorKind k, std::vector<FieldError> e) : kind(k), errors(std::move(e)) {}

  ApiErrorKind kind;
  std::vector<FieldError> errors;  // kValidation only
  std::string allow = "POST";      // kMethodNotAllowed only
  int retry_after_seconds = 1;     // kUnavailable / kRateLimited
};

// {"detail": ..., ["errors": [...],] "request_id": ...} with its status and headers.
ApiResponse MakeErrorResponse(const ApiError& error, std::string_view request_id);

// The one mapping from a failed Status (from the store, the key cache, the writer) to the
// answer's kind: NotFound -> 404, InvalidArgument -> 400, PermissionDenied -> 403; every
// other failure (unavailable, I/O, corruption, internal) -> 503, which the client retries.
ApiErrorKind ErrorKindOf(const Status& status);

// The HTTP status of an error kind (for metrics and tests).
unsigned StatusOf(ApiErrorKind kind);

}  // namespace thrad
