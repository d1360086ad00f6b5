#include "api/field_error.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace thrad {
namespace {

FieldError Make(FieldLoc loc, std::string type, std::string msg) {
  return FieldError{std::move(loc), std::move(msg), std::move(type)};
}

}  // namespace

boost::json::array FieldErrorsToJson(const std::vector<FieldError>& errors) {
  boost::json::array out;
  out.reserve(errors.size());
  for (const FieldError& e : errors) {
    boost::json::array loc;
    loc.reserve(e.loc.size());
    for (const auto& part : e.loc) {
      if (const auto* s = std::get_if<std::string>(&part)) {
        loc.emplace_back(*s);
      } else {
        loc.emplace_back(std::get<int64_t>(part));
      }
    }
    boost::json::object item;
    item["loc"] = std::move(loc);
    item["msg"] = e.msg;
    item["type"] = e.type;
    out.emplace_back(std::move(item));
  }
  return out;
}

FieldLoc BodyLoc(std::string_view field) { return {std::string("body"), std::string(field)}; }

FieldError JsonInvalidError(std::string_view reason) {
  return Make({std::string("body")}, "json_invalid", "Invalid JSON: " + std::string(reason));
}

FieldError NotAnObjectBodyError() {
  return Make({std::string("body")}, "model_attributes_type", "Body must be a JSON object");
}

FieldError MissingError(FieldLoc loc) { return Make(std::move(loc), "missing", "Field required"); }

FieldError StringTypeError(FieldLoc loc) {
  return Make(std::move(loc), "string_type", "Input should be a valid string");
}

FieldError StringBlankError(FieldLoc loc) {
  return Make(std::move(loc), "string_blank", "String should not be blank");
}

FieldError StringTooShortError(FieldLoc loc, int64_t min_chars) {
  return Make(std::move(loc), "string_too_short",
              "String should have at least " + std::to_string(min_chars) +
                  (min_chars == 1 ? " character" : " characters"));
}

FieldError StringTooLongError(FieldLoc loc, int64_t max_chars) {
  return Make(std::move(loc), "string_too_long",
              "String should have at most " + std::to_string(max_chars) + " characters");
}

FieldError StringPatternError(FieldLoc loc, std::string_view what) {
  return Make(std::move(loc), "string_pattern_mismatch",
              "String should contain only " + std::string(what));
}

FieldError IntTypeError(FieldLoc loc) {
  return Make(std::move(loc), "int_type", "Input should be a valid integer");
}

FieldError IntFromFloatError(FieldLoc loc) {
  return Make(std::move(loc), "int_from_float",
              "Input should be a valid integer, got a number with a fractional part");
}

FieldError FloatTypeError(FieldLoc loc) {
  return Make(std::move(loc), "float_type", "Input should be a valid number");
}

FieldError FiniteNumberError(FieldLoc loc) {
  return Make(std::move(loc), "finite_number", "Input should be a finite number");
}

FieldError GreaterThanEqualError(FieldLoc loc, std::string_view bound) {
  return Make(std::move(loc), "greater_than_equal",
              "Input should be greater than or equal to " + std::string(bound));
}

FieldError LessThanEqualError(FieldLoc loc, std::string_view bound) {
  return Make(std::move(loc), "less_than_equal",
              "Input should be less than or equal to " + std::string(bound));
}

FieldError DictTypeError(FieldLoc loc) {
  return Make(std::move(loc), "dict_type", "Input should be a valid dictionary");
}

FieldError ListTypeError(FieldLoc loc) {
  return Make(std::move(loc), "list_type", "Input should be a valid list");
}

FieldError ListTooShortError(FieldLoc loc, int64_t min_items, int64_t actual) {
  return Make(std::move(loc), "too_short",
              "List should have at least " + std::to_string(min_items) +
                  (min_items == 1 ? " item" : " items") + " after validation, not " +
                  std::to_string(actual));
}

FieldError ListTooLongError(FieldLoc loc, int64_t max_items, int64_t actual) {
  return Make(std::move(loc), "too_long",
              "List should have at most " + std::to_string(max_items) +
                  (max_items == 1 ? " item" : " items") + " after validation, not " +
                  std::to_string(actual));
}

FieldError DatetimeParsingError(FieldLoc loc, std::string_view reason) {
  return Make(std::move(loc), "datetime_parsing",
              "Input should be a valid datetime, " + std::string(reason));
}

FieldError DatetimePastError(FieldLoc loc, int64_t tolerance_seconds) {
  return Make(std::move(loc), "datetime_past",
              "Input should be in the past, or at most " + std::to_string(tolerance_seconds) +
                  " seconds in the future");
}

FieldError UrlParsingError(FieldLoc loc, std::string_view reason) {
  return Make(std::move(loc), "url_parsing", "Input should be a valid URL, " + std::string(reason));
}

FieldError IpAddressError(FieldLoc loc) {
  return Make(std::move(loc), "ip_any_address", "Input is not a valid IPv4 or IPv6 address");
}

FieldError ExtraForbiddenError(FieldLoc loc) {
  return Make(std::move(loc), "extra_forbidden", "Extra inputs are not permitted");
}

FieldError ValueError(FieldLoc loc, std::string_view reason) {
  return Make(std::move(loc), "value_error", "Value error, " + std::string(reason));
}

FieldError TimestampInFutureError(FieldLoc loc, std::string_view unit) {
  std::string msg = "Input should be at most 1 day in the future";
  if (!unit.empty()) msg += "; it looks like " + std::string(unit) + ", send Unix seconds";
  return Make(std::move(loc), "timestamp_in_future", std::move(msg));
}

FieldError BoolParsingError(FieldLoc loc) {
  return Make(std::move(loc), "bool_parsing",
              "Input should be a valid boolean, unable to interpret input");
}

}  // namespace thrad
