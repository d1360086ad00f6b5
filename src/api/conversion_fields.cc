#include "api/conversion_fields.h"

#include "api/currency.h"
#include "api/string_fields.h"
#include "common/decimal.h"

namespace thrad {

namespace json = boost::json;

std::optional<int64_t> ConversionValueMicros(const JsonBody& body, std::string_view field,
                                             std::optional<int64_t> absent_value,
                                             std::vector<FieldError>& errors) {
  const json::value* v = FindPresent(body.object, field);
  if (v == nullptr) {
    if (absent_value) return absent_value;
    errors.push_back(MissingError(BodyLoc(field)));
    return std::nullopt;
  }
  const std::string* raw = body.RawNumber(field);
  if (!v->is_number() || raw == nullptr) {
    errors.push_back(FloatTypeError(BodyLoc(field)));
    return std::nullopt;
  }
  const DecimalInt micros = ParseNonNegativeMicros(*raw, kMaxConversionValueMicros);
  if (micros.ok()) return micros.value;
  switch (*micros.error) {
    case DecimalError::kNegative:
      errors.push_back(GreaterThanEqualError(BodyLoc(field), "0"));
      break;
    case DecimalError::kTooLarge:
      errors.push_back(LessThanEqualError(BodyLoc(field), FormatMicros(kMaxConversionValueMicros)));
      break;
    case DecimalError::kSyntax:
    case DecimalError::kFraction:
      errors.push_back(FloatTypeError(BodyLoc(field)));
      break;
  }
  return std::nullopt;
}

std::optional<std::string> CurrencyField(const json::object& obj, std::string_view field,
                                         std::optional<std::string_view> absent_value,
                                         std::vector<FieldError>& errors) {
  const json::value* v = FindPresent(obj, field);
  if (v == nullptr) {
    if (absent_value) return std::string(*absent_value);
    errors.push_back(MissingError(BodyLoc(field)));
    return std::nullopt;
  }
  if (!v->is_string()) {
    errors.push_back(StringTypeError(BodyLoc(field)));
    return std::nullopt;
  }
  std::optional<std::string> upper = NormalizeCurrency(v->get_string());
  if (!upper) errors.push_back(ValueError(BodyLoc(field), "not an active ISO 4217 currency code"));
  return upper;
}

}  // namespace thrad
