#include "api/string_fields.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "api_test_support.h"

namespace thrad {
namespace {
namespace string_fields_test {

using test::BodyAt;
using test::ErrorAt;
using test::ErrorIs;
using test::Repeat;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const char kE[] = "\xC3\xA9";              // é, 2 bytes
const char kEuro[] = "\xE2\x82\xAC";       // €, 3 bytes
const char kEmoji[] = "\xF0\x9F\x98\x80";  // 😀, 4 bytes

TEST(Utf8Test, Validity) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8(std::string(kE) + kEuro + kEmoji));
  EXPECT_TRUE(IsValidUtf8("\xEF\xBF\xBF"));      // U+FFFF
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));      // truncated
  EXPECT_FALSE(IsValidUtf8("\xE2\x28\xA1"));  // bad continuation
}

TEST(Utf8Test, LengthCountsCodePoints) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length(kE), 1u);
  EXPECT_EQ(Utf8Length(kEuro), 1u);
  EXPECT_EQ(Utf8Length(kEmoji), 1u);
  EXPECT_EQ(Utf8Length(std::string("a") + kE + kEuro + kEmoji), 4u);
}

TEST(Utf8Test, PrefixNeverSplitsASequence) {
  const std::string s = std::string("a") + kE + kEuro + kEmoji;  // 1+2+3+4 bytes
  EXPECT_EQ(Utf8Prefix(s, 0), "");
  EXPECT_EQ(Utf8Prefix(s, 1), "a");
  EXPECT_EQ(Utf8Prefix(s, 2), std::string("a") + kE);
  EXPECT_EQ(Utf8Prefix(s, 3), std::string("a") + kE + kEuro);
  EXPECT_EQ(Utf8Prefix(s, 4), s);
  EXPECT_EQ(Utf8Prefix(s, 100), s);
}

TEST(TrimTest, AsciiWhitespaceOnly) {
  EXPECT_EQ(TrimWhitespace("  a b \t\r\n\v\f"), "a b");
  EXPECT_EQ(TrimWhitespace(""), "");
  EXPECT_EQ(TrimWhitespace(" \t "), "");
  EXPECT_EQ(TrimWhitespace("\xC2\xA0x\xC2\xA0"), "\xC2\xA0x\xC2\xA0");  // NBSP is content
  EXPECT_TRUE(IsBlank(""));
  EXPECT_TRUE(IsBlank(" \n\t"));
  EXPECT_FALSE(IsBlank(" x "));
}

boost::json::object Obj(std::string_view text) { return boost::json::parse(text).as_object(); }

TEST(FindPresentTest, NullIsAbsent) {
  const auto o = Obj(R"({"a":null,"b":0,"c":""})");
  EXPECT_EQ(FindPresent(o, "a"), nullptr);
  EXPECT_EQ(FindPresent(o, "z"), nullptr);
  ASSERT_NE(FindPresent(o, "b"), nullptr);
  EXPECT_EQ(FindPresent(o, "b")->as_int64(), 0);
  EXPECT_NE(FindPresent(o, "c"), nullptr);
}

TEST(OptionalStringTest, AbsentAndNullGiveNothing) {
  std::vector<FieldError> errors;
  EXPECT_EQ(OptionalString(Obj("{}"), "f", {.max_chars = 5}, errors), std::nullopt);
  EXPECT_EQ(OptionalString(Obj(R"({"f":null})"), "f", {.max_chars = 5}, errors), std::nullopt);
  EXPECT_THAT(errors, IsEmpty());
}

TEST(OptionalStringTest, WrongTypes) {
  for (const char* v : {"1", "1.5", "true", "false", "[]", "{}", "[\"a\"]"}) {
    std::vector<FieldError> errors;
    EXPECT_EQ(OptionalString(Obj(std::string(R"({"f":)") + v + "}"), "f", {.max_chars = 5}, errors),
              std::nullopt);
    EXPECT_THAT(errors,
                ElementsAre(ErrorIs(BodyAt("f"), "string_type", "Input should be a valid string")))
        << v;
  }
}

TEST(OptionalStringTest, LimitInCodePoints) {
  for (const char* unit : {"a", kE, kEuro, kEmoji}) {
    std::vector<FieldError> errors;
    const std::string at = Repeat(unit, 5);
    EXPECT_EQ(OptionalString(Obj("{\"f\":" + test::Quote(at) + "}"), "f", {.max_chars = 5}, errors),
              at);
    EXPECT_THAT(errors, IsEmpty());
    const std::string over = Repeat(unit, 6);
    EXPECT_EQ(
        OptionalString(Obj("{\"f\":" + test::Quote(over) + "}"), "f", {.max_chars = 5}, errors),
        std::nullopt);
    EXPECT_THAT(errors, ElementsAre(ErrorIs(BodyAt("f"), "string_too_long",
                                            "String should have at most 5 characters")));
  }
}

TEST(OptionalStringTest, TrimAndBlank) {
  std::vector<FieldError> errors;
  const StringRule rule{.max_chars = 3, .trim = true, .reject_blank = true};
  EXPECT_EQ(OptionalString(Obj(R"({"f":"  abc \n"})"), "f", rule, errors), "abc");
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(OptionalString(Obj(R"({"f":"  \t "})"), "f", rule, errors), std::nullopt);
  EXPECT_THAT(errors,
              ElementsAre(ErrorIs(BodyAt("f"), "string_blank", "String should not be blank")));
  errors.clear();
  EXPECT_EQ(OptionalString(Obj(R"({"f":""})"), "f", rule, errors), std::nullopt);
  EXPECT_THAT(errors, ElementsAre(ErrorAt(BodyAt("f"), "string_blank")));
  errors.clear();
  // Without trim the spaces are content and count.
  EXPECT_EQ(OptionalString(Obj(R"({"f":" ab "})"), "f", {.max_chars = 3}, errors), std::nullopt);
  EXPECT_THAT(errors, ElementsAre(ErrorAt(BodyAt("f"), "string_too_long")));
}

TEST(OptionalStringTest, MinChars) {
  std::vector<FieldError> errors;
  const StringRule rule{.max_chars = 5, .min_chars = 2};
  EXPECT_EQ(OptionalString(Obj(R"({"f":"ab"})"), "f", rule, errors), "ab");
  EXPECT_EQ(OptionalString(Obj(std::string(R"({"f":")") + kE + kE + "\"}"), "f", rule, errors),
            std::string(kE) + kE);  // code points, not bytes
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(OptionalString(Obj(R"({"f":"a"})"), "f", rule, errors), std::nullopt);
  EXPECT_EQ(OptionalString(Obj(std::string(R"({"f":")") + kEmoji + "\"}"), "f", rule, errors),
            std::nullopt);
  EXPECT_THAT(errors, ElementsAre(ErrorIs(BodyAt("f"), "string_too_short",
                                          "String should have at least 2 characters"),
                                  ErrorAt(BodyAt("f"), "string_too_short")));
}

TEST(OptionalStringTest, ControlCharacters) {
  const StringRule rule{.max_chars = 5, .reject_control_chars = true};
  for (const char* bad : {R"("a\u0000")", R"("\u001f")", R"("a\tb")", R"("\u007f")"}) {
    std::vector<FieldError> errors;
    EXPECT_EQ(OptionalString(Obj(std::string(R"({"f":)") + bad + "}"), "f", rule, errors),
              std::nullopt);
    EXPECT_THAT(errors, ElementsAre(ErrorIs(BodyAt("f"), "string_pattern_mismatch",
                                            "String should contain only non-control characters")))
        << bad;
  }
  std::vector<FieldError> errors;
  // C1 controls are not C0 or DEL; without the rule control characters are content.
  EXPECT_EQ(OptionalString(Obj(R"({"f":"a\u0085 "})"), "f", rule, errors), "a\xC2\x85 ");
  EXPECT_EQ(OptionalString(Obj(R"({"f":"a\tb"})"), "f", {.max_chars = 5}, errors), "a\tb");
  EXPECT_THAT(errors, IsEmpty());
}

TEST(HasControlCharTest, C0AndDel) {
  EXPECT_FALSE(HasControlChar(""));
  EXPECT_FALSE(HasControlChar("abc ~"));
  EXPECT_FALSE(HasControlChar(kEmoji));
  EXPECT_TRUE(HasControlChar(std::string_view("a\0b", 3)));
  EXPECT_TRUE(HasControlChar("\x1f"));
  EXPECT_TRUE(HasControlChar("\x7f"));
}

TEST(DateTimeTest, OptionalAndRequired) {
  std::vector<FieldError> errors;
  EXPECT_EQ(OptionalDateTime(Obj("{}"), "t", errors), std::nullopt);
  EXPECT_EQ(OptionalDateTime(Obj(R"({"t":null})"), "t", errors), std::nullopt);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(OptionalDateTime(Obj(R"({"t":"2026-02-19T18:00:00Z"})"), "t", errors),
            1771524000'000000);
  EXPECT_EQ(RequiredDateTime(Obj(R"({"t":"1970-01-01T00:00:00.5+00:00"})"), "t", errors), 500000);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(OptionalDateTime(Obj(R"({"t":1771524000})"), "t", errors), std::nullopt);
  EXPECT_EQ(OptionalDateTime(Obj(R"({"t":"2026-13-01T00:00:00Z"})"), "t", errors), std::nullopt);
  EXPECT_EQ(RequiredDateTime(Obj("{}"), "t", errors), std::nullopt);
  EXPECT_EQ(RequiredDateTime(Obj(R"({"t":null})"), "t", errors), std::nullopt);
  EXPECT_THAT(errors,
              ElementsAre(ErrorAt(BodyAt("t"), "string_type"),
                          ErrorIs(BodyAt("t"), "datetime_parsing",
                                  "Input should be a valid datetime, invalid month"),
                          ErrorAt(BodyAt("t"), "missing"), ErrorAt(BodyAt("t"), "missing")));
}

TEST(RequiredStringTest, MissingAndNull) {
  std::vector<FieldError> errors;
  EXPECT_EQ(RequiredString(Obj("{}"), "f", {.max_chars = 5}, errors), std::nullopt);
  EXPECT_EQ(RequiredString(Obj(R"({"f":null})"), "f", {.max_chars = 5}, errors), std::nullopt);
  EXPECT_THAT(errors, ElementsAre(ErrorIs(BodyAt("f"), "missing", "Field required"),
                                  ErrorIs(BodyAt("f"), "missing", "Field required")));
  errors.clear();
  EXPECT_EQ(RequiredString(Obj(R"({"f":"x"})"), "f", {.max_chars = 5}, errors), "x");
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(RequiredString(Obj(R"({"f":7})"), "f", {.max_chars = 5}, errors), std::nullopt);
  EXPECT_THAT(errors, ElementsAre(ErrorAt(BodyAt("f"), "string_type")));
}

TEST(OptionalNonBlankStringTest, BlankCountsAsAbsent) {
  std::vector<FieldError> errors;
  EXPECT_EQ(OptionalNonBlankString(Obj(R"({"f":""})"), "f", 3, errors), std::nullopt);
  EXPECT_EQ(OptionalNonBlankString(Obj(R"({"f":"      "})"), "f", 3, errors), std::nullopt);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(OptionalNonBlankString(Obj(R"({"f":" a "})"), "f", 3, errors), " a ");
  EXPECT_EQ(OptionalNonBlankString(Obj(R"({"f":"abcd"})"), "f", 3, errors), std::nullopt);
  EXPECT_EQ(OptionalNonBlankString(Obj(R"({"f":false})"), "f", 3, errors), std::nullopt);
  EXPECT_THAT(errors, ElementsAre(ErrorAt(BodyAt("f"), "string_too_long"),
                                  ErrorAt(BodyAt("f"), "string_type")));
}

}  // namespace string_fields_test
}  // namespace
}  // namespace thrad
