#include "store/sqlite/export_format.h"

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

}  // namespace
}  // namespace thrad::export_format
