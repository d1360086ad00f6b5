// libFuzzer target: header handling that sees attacker-chosen bytes before any body is read:
// the Authorization bearer parser (and the key digest the cache looks up), the
// Idempotency-Key parser, X-Request-Id resolution and the request-target router. Each
// function gets the whole input, so one corpus serves them all. Checks their contracts:
// the bearer token is a non-empty, trimmed view inside the header; an accepted idempotency
// key is 1-255 printable ASCII characters; a resolved request id is always valid.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/idempotency_key.h"
#include "auth/api_key.h"
#include "fuzz_check.h"
#include "http/request_id.h"
#include "http/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (std::optional<std::string_view> token = thrad::ParseBearerToken(input)) {
    FUZZ_CHECK(!token->empty());
    FUZZ_CHECK(token->data() >= input.data() &&
               token->data() + token->size() <= input.data() + input.size());
    FUZZ_CHECK(token->front() != ' ' && token->front() != '\t');
    FUZZ_CHECK(token->back() != ' ' && token->back() != '\t');
    const std::string digest = thrad::KeyDigest(*token);
    FUZZ_CHECK(digest.size() == 64);
  }

  std::vector<thrad::FieldError> errors;
  if (std::optional<std::string> key = thrad::ParseIdempotencyKey(input, errors)) {
    FUZZ_CHECK(errors.empty());
    FUZZ_CHECK(!key->empty() && key->size() <= thrad::kMaxIdempotencyKeyChars);
    for (char c : *key) FUZZ_CHECK(c >= 0x20 && c <= 0x7E);
  } else {
    FUZZ_CHECK(errors.size() == 1);
  }

  const std::string rid = thrad::ResolveRequestId(input);
  FUZZ_CHECK(thrad::IsValidRequestId(rid));
  if (thrad::IsValidRequestId(input)) FUZZ_CHECK(rid == input);

  const thrad::Target target = thrad::ParseTarget(input);
  FUZZ_CHECK(target.path.size() <= input.size());
  FUZZ_CHECK(target.query.size() < input.size() || target.query.empty());
  if (const auto match = thrad::MatchRoute(target.path)) {
    FUZZ_CHECK(match->param.size() <= target.path.size());
    FUZZ_CHECK(thrad::RouteIndex(match->spec) < thrad::Routes().size());
  }
  return 0;
}
