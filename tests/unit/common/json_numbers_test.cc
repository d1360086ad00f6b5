#include "common/json_numbers.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <string>

namespace thrad {
namespace {

std::string Of(double d) { return SerializeJson(boost::json::value(d)); }

TEST(JsonNumbersTest, DoublesAreShortestRoundTripWithoutNeedlessExponents) {
  EXPECT_EQ(Of(49.99), "49.99");
  EXPECT_EQ(Of(10.0), "10");
  EXPECT_EQ(Of(0.008947041), "0.008947041");
  EXPECT_EQ(Of(1e21), "1e21");
  EXPECT_EQ(Of(-0.0), "-0.0");  // "-0" reads back as the integer 0
  EXPECT_EQ(Of(0.0), "0");
  EXPECT_EQ(Of(1e-7), "1e-7");
  EXPECT_EQ(Of(-1.5e300), "-1.5e300");
  EXPECT_EQ(Of(0.1), "0.1");
  EXPECT_EQ(Of(123.456), "123.456");
  EXPECT_EQ(Of(5e-324), "5e-324");
  EXPECT_EQ(Of(std::numeric_limits<double>::max()), "1.7976931348623157e308");
  // Every one of them reads back as the same double.
  for (double d : {49.99, 0.008947041, 1e21, 1e-7, 5e-324, 0.1, 2.0 / 3.0, -0.0}) {
    const boost::json::value back = boost::json::parse(Of(d));
    EXPECT_EQ(back.to_number<double>(), d) << d;
    EXPECT_EQ(std::signbit(back.to_number<double>()), std::signbit(d)) << d;
  }
}

TEST(JsonNumbersTest, IntegersAreWrittenExactly) {
  const boost::json::value v = boost::json::parse(
      R"({"a":9007199254740993,"b":18446744073709551615,"c":-9223372036854775808,"d":10})");
  EXPECT_EQ(SerializeJson(v),
            R"({"a":9007199254740993,"b":18446744073709551615,"c":-9223372036854775808,"d":10})");
}

TEST(JsonNumbersTest, StringsAndNestedValuesAreLeftAlone) {
  const boost::json::value v = boost::json::parse(
      R"({"4.999E1":"1E1 \" 2.5E0","cart":{"total":49.99,"items":[10.0,-0.0,{"x":8.947041E-3}]},)"
      R"("t":true,"n":null,"e":"e","s":"\\"})");
  EXPECT_EQ(
      SerializeJson(v),
      R"({"4.999E1":"1E1 \" 2.5E0","cart":{"total":49.99,"items":[10,-0.0,{"x":0.008947041}]},)"
      R"("t":true,"n":null,"e":"e","s":"\\"})");
}

TEST(JsonNumbersTest, ShortensTextWrittenByBoost) {
  std::string text = R"([4.999E1,1E1,8.947041E-3,1E21,-0E0,-Infinity,7,"1E1"])";
  ShortenJsonDoubles(text);
  EXPECT_EQ(text, R"([49.99,10,0.008947041,1e21,-0.0,-Infinity,7,"1E1"])");
  // A string ends at the first quote after an even number of backslashes.
  std::string escapes = R"(["a\\\"1.5E0\\\\",2.5E0,"\\",3.5E0,"\"",4.5E0])";
  ShortenJsonDoubles(escapes);
  EXPECT_EQ(escapes, R"(["a\\\"1.5E0\\\\",2.5,"\\",3.5,"\"",4.5])");
  std::string plain = R"({"a":1,"b":"x"})";
  ShortenJsonDoubles(plain);
  EXPECT_EQ(plain, R"({"a":1,"b":"x"})");
}

}  // namespace
}  // namespace thrad
