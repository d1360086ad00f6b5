#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace thrad {

// Where a problem is: ["body"], ["body","currency"], ["header","Idempotency-Key"].
using FieldLoc = std::vector<std::variant<std::string, int64_t>>;

// One validation problem, as listed in a 422 body:
// {"loc": ["body","currency"], "msg": "...", "type": "..."}.
struct FieldError {
  FieldLoc loc;
  std::string msg;
  std::string type;

  bool operator==(const FieldError&) const = default;
};

// {"loc":[...],"msg":"...","type":"..."} for each error, in order.
boost::json::array FieldErrorsToJson(const std::vector<FieldError>& errors);

// ["body", field].
FieldLoc BodyLoc(std::string_view field);

// The error vocabulary: `type` and `msg` after pydantic v2 / FastAPI. Both are part of the
// public contract (documented for partners); change them only together with the docs.
//
//   type                   msg
//   json_invalid           Invalid JSON: <reason>                  (loc ["body"])
//   model_attributes_type  Body must be a JSON object              (loc ["body"])
//   missing                Field required
//   string_type            Input should be a valid string
//   string_blank           String should not be blank
//   string_too_short       String should have at least <n> character(s)
//   string_too_long        String should have at most <n> characters
//   string_pattern_mismatch String should contain only <what>
//   int_type               Input should be a valid integer
//   int_from_float         Input should be a valid integer, got a number with a fractional part
//   float_type             Input should be a valid number
//   finite_number          Input should be a finite number
//   greater_than_equal     Input should be greater than or equal to <n>
//   less_than_equal        Input should be less than or equal to <n>
//   dict_type              Input should be a valid dictionary
//   list_type              Input should be a valid list
//   too_short              List should have at least <n> item(s) after validation, not <m>
//   too_long               List should have at most <n> items after validation, not <m>
//   datetime_parsing       Input should be a valid datetime, <reason>
//   datetime_past          Input should be in the past, or at most <n> seconds in the future
//   url_parsing            Input should be a valid URL, <reason>
//   ip_any_address         Input is not a valid IPv4 or IPv6 address
//   extra_forbidden        Extra inputs are not permitted          (a member no field names)
//   value_error            Value error, <reason>
//   bool_parsing           Input should be a valid boolean, unable to interpret input
//   timestamp_in_future    Input should be at most 1 day in the future[; it looks like <unit>,
//                          send Unix seconds]
FieldError JsonInvalidError(std::string_view reason);
FieldError NotAnObjectBodyError();
FieldError MissingError(FieldLoc loc);
FieldError StringTypeError(FieldLoc loc);
FieldError StringBlankError(FieldLoc loc);
FieldError StringTooShortError(FieldLoc loc, int64_t min_chars);
FieldError StringTooLongError(FieldLoc loc, int64_t max_chars);
FieldError StringPatternError(FieldLoc loc, std::string_view what);
FieldError IntTypeError(FieldLoc loc);
FieldError IntFromFloatError(FieldLoc loc);
FieldError FloatTypeError(FieldLoc loc);
FieldError FiniteNumberError(FieldLoc loc);
FieldError GreaterThanEqualError(FieldLoc loc, std::string_view bound);
FieldError LessThanEqualError(FieldLoc loc, std::string_view bound);
FieldError DictTypeError(FieldLoc loc);
FieldError ListTypeError(FieldLoc loc);
FieldError ListTooShortError(FieldLoc loc, int64_t min_items, int64_t actual);
FieldError ListTooLongError(FieldLoc loc, int64_t max_items, int64_t actual);
FieldError DatetimeParsingError(FieldLoc loc, std::string_view reason);
FieldError DatetimePastError(FieldLoc loc, int64_t tolerance_seconds);
FieldError UrlParsingError(FieldLoc loc, std::string_view reason);
FieldError IpAddressError(FieldLoc loc);
FieldError ExtraForbiddenError(FieldLoc loc);
FieldError ValueError(FieldLoc loc, std::string_view reason);
FieldError BoolParsingError(FieldLoc loc);
// `unit`: the unit the value seems to be in ("milliseconds"), or empty.
FieldError TimestampInFutureError(FieldLoc loc, std::string_view unit);

// Counts what section 5 sanitizing dropped or changed (for the metrics); the request still
// succeeds.
struct SanitizeStats {
  int64_t dropped_keys = 0;       // bad names, past the 64-key cap
  int64_t dropped_values = 0;     // nested deeper than 3, array items past 100, 1e400
  int64_t truncated_strings = 0;  // cut to 1024 code points
  int64_t cleaned_strings = 0;    // had control characters removed

  bool operator==(const SanitizeStats&) const = default;
};

// The outcome of a pure handler: a normalized record, or every problem found.
template <typename T>
struct Parsed {
  T record;  // meaningful only when errors is empty
  std::vector<FieldError> errors;
  SanitizeStats sanitize;

  bool ok() const { return errors.empty(); }
};

}  // namespace thrad
