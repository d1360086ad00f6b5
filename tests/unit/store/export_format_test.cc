#include "store/sqlite/export_format.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>

namespace thrad::export_format {
namespace {

TEST(ExportFormatTest, Rfc3339Micros) {
  EXPECT_EQ(Rfc3339Micros(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(Rfc3339Micros(1771524000123456), "2026-02-19T18:00:00.123456Z");
  EXPECT_EQ(Rfc3339Micros(951782400000000), "2000-02-29T00:00:00.000000Z");
  EXPECT_EQ(Rfc3339Micros(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(Rfc3339Micros(253402300799999999), "9999-12-31T23:59:59.999999Z");
}

TEST(ExportFormatTest, DecimalFromMicros) {
  EXPECT_EQ(DecimalFromMicros(0), "0");
  EXPECT_EQ(DecimalFromMicros(49990000), "49.99");
  EXPECT_EQ(DecimalFromMicros(5000000), "5");
  EXPECT_EQ(DecimalFromMicros(1), "0.000001");
  EXPECT_EQ(DecimalFromMicros(123456789), "123.456789");
  EXPECT_EQ(DecimalFromMicros(100000), "0.1");
  EXPECT_EQ(DecimalFromMicros(-1500000), "-1.5");
  EXPECT_EQ(DecimalFromMicros(std::numeric_limits<int64_t>::min()), "-9223372036854.775808");
}

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
