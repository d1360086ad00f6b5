#include "api/pixel_query.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <memory>
#include <string>
#include <utility>

#include "api/string_fields.h"

namespace thrad {
namespace {

namespace json = boost::json;

constexpr std::string_view kParamsPrefix = "params.";
constexpr std::string_view kConsentPrefix = "consent.";
constexpr size_t kMaxIntegerDigits = 19;  // INT64_MAX has 19; OptionalNonNegativeInt bounds it

bool IsIntegerField(std::string_view name) { return name == "timestamp" || name == "view_time_ms"; }

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > kMaxIntegerDigits) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

FieldLoc QueryLoc() { return FieldLoc{std::string("query")}; }
FieldLoc QueryLoc(std::string_view name) {
  FieldLoc loc = QueryLoc();
  loc.emplace_back(std::string(name));
  return loc;
}

Parsed<JsonBody> Fail(FieldError e) {
  Parsed<JsonBody> out;
  out.errors.push_back(std::move(e));
  return out;
}

}  // namespace

Parsed<JsonBody> ParsePixelQuery(std::string_view query) {
  Parsed<JsonBody> out;
  JsonBody& body = out.record;
  body.arena = std::make_unique<json::monotonic_resource>();
  body.object = json::object(body.arena.get());
  if (query.empty()) return out;  // Boost.URL 1.81 mis-iterates an empty query
  // Boost.URL 1.81's parse_query reads up to a NUL: hand it a copy that ends in one.
  const std::string terminated(query);
  if (!boost::urls::parse_query(terminated)) {
    return Fail(ValueError(QueryLoc(), "malformed query string"));
  }
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  const boost::urls::params_view params(terminated, form);
  if (params.size() > kMaxPixelParams) {
    return Fail(ValueError(QueryLoc(), "too many query parameters"));
  }
  json::object params_obj(body.arena.get());
  json::object consent_obj(body.arena.get());
  for (const auto& p : params) {  // a decoded copy of each parameter
    const std::string& name = p.key;
    const std::string& value = p.value;
    if (!IsValidUtf8(name) || !IsValidUtf8(value)) {
      out.errors.push_back(ValueError(IsValidUtf8(name) ? QueryLoc(name) : QueryLoc(),
                                      "not valid UTF-8 once percent-decoded"));
      continue;
    }
    std::string_view n = name;
    if (n.starts_with(kParamsPrefix)) {
      params_obj[n.substr(kParamsPrefix.size())] = value;
    } else if (n.starts_with(kConsentPrefix)) {
      consent_obj[n.substr(kConsentPrefix.size())] = value;
    } else if (IsIntegerField(n) && AllDigits(value)) {
      // The raw text decides the value (OptionalNonNegativeInt); the double is only its type.
      body.object[n] = std::stod(value);
      body.raw_numbers[name] = value;
    } else {
      body.object[n] = value;
      body.raw_numbers.erase(name);
    }
  }
  if (!out.errors.empty()) return out;
  if (!params_obj.empty()) body.object["params"] = std::move(params_obj);
  if (!consent_obj.empty()) body.object["consent"] = std::move(consent_obj);
  return out;
}

}  // namespace thrad
