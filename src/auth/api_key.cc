#include "auth/api_key.h"

#include <utility>

#include "common/random.h"
#include "common/sha256.h"

namespace thrad {
namespace {

constexpr std::string_view kWhitespace = " \t";

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(kWhitespace);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kWhitespace);
  return s.substr(b, e - b + 1);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

NewKey GenerateKey(std::string partner_id, std::string label, uint32_t scopes,
                   std::optional<UnixMicros> expires_at, UnixMicros now) {
  NewKey key;
  key.secret = std::string(kKeySecretPrefix) + RandomBase64Url(kKeySecretRandomBytes);
  key.record.id = "key_" + RandomHex(8);
  key.record.digest = KeyDigest(key.secret);
  key.record.partner_id = std::move(partner_id);
  key.record.label = std::move(label);
  key.record.scopes = scopes;
  key.record.created_at = now;
  key.record.expires_at = expires_at;
  return key;
}

std::string KeyDigest(std::string_view secret) { return Sha256Hex(secret); }

Result<uint32_t> ParseScopes(std::string_view csv) {
  const std::string_view all = csv;
  uint32_t scopes = 0;
  while (true) {
    size_t comma = csv.find(',');
    std::string_view name = Trim(csv.substr(0, comma));
    if (name.empty()) {
      return Status::InvalidArgument("empty scope name in '" + std::string(all) + "'");
    }
    const ScopeName* known = nullptr;
    for (const ScopeName& s : kScopeNames) {
      if (s.name == name) known = &s;
    }
    if (known == nullptr) {
      std::string expected;
      for (const ScopeName& s : kScopeNames) {
        if (!expected.empty()) expected += ", ";
        expected += s.name;
      }
      return Status::InvalidArgument("unknown scope '" + std::string(name) + "' (expected " +
                                     expected + ")");
    }
    scopes |= static_cast<uint32_t>(known->scope);
    if (comma == std::string_view::npos) break;
    csv.remove_prefix(comma + 1);
  }
  return scopes;
}

std::string ScopesToString(uint32_t scopes) {
  std::string out;
  for (const ScopeName& s : kScopeNames) {
    if ((scopes & static_cast<uint32_t>(s.scope)) == 0) continue;
    if (!out.empty()) out += ',';
    out += s.name;
  }
  return out;
}

Status ValidateRateLimitOverride(std::optional<double> rate_limit_rps,
                                 std::optional<int64_t> rate_limit_burst) {
  // Written so that NaN fails too.
  if (rate_limit_rps.has_value() && !(*rate_limit_rps >= 0)) {
    return Status::InvalidArgument("rate_limit_rps must be 0 or more");
  }
  if (rate_limit_burst.has_value() && *rate_limit_burst < 1) {
    return Status::InvalidArgument("rate_limit_burst must be 1 or more");
  }
  return Status::Ok();
}

std::optional<std::string_view> ParseBearerToken(std::string_view authorization_header) {
  std::string_view h = Trim(authorization_header);
  constexpr std::string_view kScheme = "Bearer";
  if (h.size() <= kScheme.size() || !EqualsIgnoreCase(h.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  std::string_view rest = h.substr(kScheme.size());
  if (rest.front() != ' ') return std::nullopt;  // "Bearerxyz" or "Bearer\txyz"
  std::string_view token = Trim(rest);
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace thrad
