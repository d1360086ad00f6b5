#include "store/export_format.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>

namespace thrad::export_format {
namespace {

TEST(ExportFormatTest, JsonObjectWriterKeepsRawNumbersAndOrder) {
  JsonObjectWriter w;
  w.Add("a\"b", "x\ny");
  w.AddRaw("v", "49.99");
  w.Add("n", nullptr);
  std::string text = std::move(w).Finish();
  EXPECT_EQ(text, R"({"a\"b":"x\ny","v":49.99,"n":null})");
  EXPECT_TRUE(boost::json::parse(text).is_object());
  EXPECT_EQ(std::move(JsonObjectWriter()).Finish(), "{}");
}

// Regression (found by the collect_body fuzz target): stored JSON may nest as deep as a
// request body (64 levels); Boost.JSON's default limit of 32 turned it into a string.
TEST(ExportFormatTest, StoredJsonKeepsDeeplyNestedObjects) {
  std::string text;
  for (int i = 0; i < 63; ++i) text += R"({"a":)";
  text += "1";
  text += std::string(63, '}');
  boost::json::value v = StoredJson(text);
  ASSERT_TRUE(v.is_object()) << boost::json::serialize(v).substr(0, 80);
  EXPECT_EQ(boost::json::serialize(v), text);
  EXPECT_TRUE(StoredJson(std::string("not json")).is_string());
  EXPECT_TRUE(StoredJson(std::nullopt).is_null());
}

}  // namespace
}  // namespace thrad::export_format
