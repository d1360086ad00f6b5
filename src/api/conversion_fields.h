#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "api/json_body.h"

namespace thrad {

// The money and currency fields of a conversion, shared by POST /v1/api/conversion
// (conversion_value and currency, both required: API.md section 4) and POST /v1/t/conversion
// (value and currency, with defaults: TAG.md section 5). Pure.

// conversion_value is at most 10^12, i.e. 10^18 micro-units.
inline constexpr int64_t kMaxConversionValueMicros = 1'000'000'000'000'000'000;

// The number `field` of `body` as exact micro-units: the decimal value of the JSON number text
// times 10^6, digits past the 6th decimal rounded half up, 0..10^12 checked on the exact value
// (greater_than_equal, less_than_equal); booleans and strings are float_type. Absent (or null):
// `absent_value` when given, else missing. Errors at ["body", field].
std::optional<int64_t> ConversionValueMicros(const JsonBody& body, std::string_view field,
                                             std::optional<int64_t> absent_value,
                                             std::vector<FieldError>& errors);

// The ISO 4217 code `field` of `obj`, upper-cased (NormalizeCurrency); a non-string is
// string_type, an unknown code value_error. Absent (or null): `absent_value` when given, else
// missing. Errors at ["body", field].
std::optional<std::string> CurrencyField(const boost::json::object& obj, std::string_view field,
                                         std::optional<std::string_view> absent_value,
                                         std::vector<FieldError>& errors);

}  // namespace thrad
