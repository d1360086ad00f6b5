#include "api/field_error.h"

#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace thrad {
namespace {

TEST(FieldErrorsToJsonTest, EmptyList) {
  EXPECT_EQ(boost::json::serialize(FieldErrorsToJson({})), "[]");
}

TEST(FieldErrorsToJsonTest, LocMsgTypeInOrder) {
  std::vector<FieldError> errors = {
      MissingError(BodyLoc("click_id")),
      ValueError(BodyLoc("currency"), "not an active ISO 4217 currency code"),
      FieldError{{std::string("body"), std::string("items"), int64_t{3}}, "m", "t"},
  };
  EXPECT_EQ(boost::json::serialize(FieldErrorsToJson(errors)),
            R"([{"loc":["body","click_id"],"msg":"Field required","type":"missing"},)"
            R"({"loc":["body","currency"],"msg":"Value error, not an active ISO 4217 currency )"
            R"(code","type":"value_error"},)"
            R"({"loc":["body","items",3],"msg":"m","type":"t"}])");
}

TEST(FieldErrorsToJsonTest, EscapesText) {
  std::vector<FieldError> errors = {FieldError{{std::string("body")}, "say \"hi\"\n", "x"}};
  EXPECT_EQ(boost::json::serialize(FieldErrorsToJson(errors)),
            R"([{"loc":["body"],"msg":"say \"hi\"\n","type":"x"}])");
}

TEST(VocabularyTest, TypesAndMessages) {
  const FieldLoc loc = BodyLoc("f");
  struct Case {
    FieldError error;
    const char* type;
    const char* msg;
  };
  const Case cases[] = {
      {JsonInvalidError("the body is empty"), "json_invalid", "Invalid JSON: the body is empty"},
      {NotAnObjectBodyError(), "model_attributes_type", "Body must be a JSON object"},
      {MissingError(loc), "missing", "Field required"},
      {StringTypeError(loc), "string_type", "Input should be a valid string"},
      {StringBlankError(loc), "string_blank", "String should not be blank"},
      {StringTooShortError(loc, 1), "string_too_short", "String should have at least 1 character"},
      {StringTooShortError(loc, 2), "string_too_short", "String should have at least 2 characters"},
      {StringTooLongError(loc, 128), "string_too_long",
       "String should have at most 128 characters"},
      {StringPatternError(loc, "digits"), "string_pattern_mismatch",
       "String should contain only digits"},
      {IntTypeError(loc), "int_type", "Input should be a valid integer"},
      {IntFromFloatError(loc), "int_from_float",
       "Input should be a valid integer, got a number with a fractional part"},
      {FloatTypeError(loc), "float_type", "Input should be a valid number"},
      {FiniteNumberError(loc), "finite_number", "Input should be a finite number"},
      {GreaterThanEqualError(loc, "0"), "greater_than_equal",
       "Input should be greater than or equal to 0"},
      {LessThanEqualError(loc, "1000000000000"), "less_than_equal",
       "Input should be less than or equal to 1000000000000"},
      {DictTypeError(loc), "dict_type", "Input should be a valid dictionary"},
      {DatetimeParsingError(loc, "invalid month"), "datetime_parsing",
       "Input should be a valid datetime, invalid month"},
      {DatetimePastError(loc, 300), "datetime_past",
       "Input should be in the past, or at most 300 seconds in the future"},
      {UrlParsingError(loc, "relative URL"), "url_parsing",
       "Input should be a valid URL, relative URL"},
      {IpAddressError(loc), "ip_any_address", "Input is not a valid IPv4 or IPv6 address"},
      {ExtraForbiddenError(loc), "extra_forbidden", "Extra inputs are not permitted"},
      {ValueError(loc, "bad"), "value_error", "Value error, bad"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.error.type, c.type);
    EXPECT_EQ(c.error.msg, c.msg);
  }
  EXPECT_EQ(MissingError(loc).loc, (FieldLoc{std::string("body"), std::string("f")}));
  EXPECT_EQ(JsonInvalidError("x").loc, FieldLoc{std::string("body")});
  EXPECT_EQ(NotAnObjectBodyError().loc, FieldLoc{std::string("body")});
}

}  // namespace
}  // namespace thrad
