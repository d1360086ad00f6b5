#include "api/number_fields.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <limits>
#include <string>

#include "api/string_fields.h"
#include "common/decimal.h"

namespace thrad {

std::optional<int64_t> OptionalNonNegativeInt(const boost::json::object& obj,
                                              const RawNumbers& raw_numbers, std::string_view field,
                                              std::vector<FieldError>& errors) {
  const boost::json::value* v = FindPresent(obj, field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) {
    errors.push_back(IntTypeError(BodyLoc(field)));
    return std::nullopt;
  }
  const std::string* raw = RawNumberOf(obj, raw_numbers, field);
  const std::string text = raw != nullptr ? *raw : boost::json::serialize(*v);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const DecimalInt n = ParseNonNegativeInteger(text, kMax);
  if (n.ok()) return n.value;
  switch (*n.error) {
    case DecimalError::kFraction:
      errors.push_back(IntFromFloatError(BodyLoc(field)));
      break;
    case DecimalError::kNegative:
      errors.push_back(GreaterThanEqualError(BodyLoc(field), "0"));
      break;
    case DecimalError::kTooLarge:
      errors.push_back(LessThanEqualError(BodyLoc(field), std::to_string(kMax)));
      break;
    case DecimalError::kSyntax:
      errors.push_back(IntTypeError(BodyLoc(field)));
      break;
  }
  return std::nullopt;
}

}  // namespace thrad
