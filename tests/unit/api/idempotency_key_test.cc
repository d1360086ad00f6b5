#include "api/idempotency_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "api_test_support.h"

namespace thrad {
namespace {

using test::ErrorAt;
using test::ErrorIs;
using test::Repeat;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::optional<std::string> Key(std::string_view header) {
  std::vector<FieldError> errors;
  std::optional<std::string> key = ParseIdempotencyKey(header, errors);
  EXPECT_THAT(errors, IsEmpty()) << header;
  return key;
}

std::string ErrorType(std::string_view header) {
  std::vector<FieldError> errors;
  EXPECT_EQ(ParseIdempotencyKey(header, errors), std::nullopt) << header;
  EXPECT_EQ(errors.size(), 1u) << header;
  if (errors.empty()) return "";
  EXPECT_EQ(errors[0].loc, IdempotencyKeyLoc());
  return errors[0].type;
}

TEST(ParseIdempotencyKeyTest, PlainTokens) {
  EXPECT_EQ(Key("abc-123"), "abc-123");
  EXPECT_EQ(Key("8e03978e-40d5-43e8-bc93-6894a57f9324"), "8e03978e-40d5-43e8-bc93-6894a57f9324");
  EXPECT_EQ(Key("a b ~!@#$%^&*()"), "a b ~!@#$%^&*()");
  EXPECT_EQ(Key("x"), "x");
}

TEST(ParseIdempotencyKeyTest, LocIsTheHeader) {
  EXPECT_EQ(IdempotencyKeyLoc(), (FieldLoc{std::string("header"), std::string("Idempotency-Key")}));
}

TEST(ParseIdempotencyKeyTest, StructuredFieldStringIsUnquoted) {
  EXPECT_EQ(Key(R"("abc")"), "abc");
  EXPECT_EQ(Key(R"("8e03978e-40d5")"), "8e03978e-40d5");
  EXPECT_EQ(Key(R"("a \"q\" b")"), R"(a "q" b)");
  EXPECT_EQ(Key(R"("back\\slash")"), R"(back\slash)");
  EXPECT_EQ(Key(R"("with space")"), "with space");
}

TEST(ParseIdempotencyKeyTest, QuoteInsideAnUnquotedValueIsJustACharacter) {
  EXPECT_EQ(Key(R"(ab"c)"), R"(ab"c)");
  EXPECT_EQ(Key(R"(abc")"), R"(abc")");
}

TEST(ParseIdempotencyKeyTest, MalformedQuotedStrings) {
  for (const char* bad : {R"(")", R"("abc)", R"("a\x")", R"("a\")", R"("abc"x)", R"("abc";p=1)",
                          R"("a"b")", "\"a\tb\""}) {
    EXPECT_EQ(ErrorType(bad), "value_error") << bad;
  }
  std::vector<FieldError> errors;
  (void)ParseIdempotencyKey(R"("abc)", errors);
  EXPECT_THAT(errors, ElementsAre(ErrorIs(IdempotencyKeyLoc(), "value_error",
                                          "Value error, invalid structured-field quoted string")));
}

TEST(ParseIdempotencyKeyTest, Empty) {
  EXPECT_EQ(ErrorType(""), "string_too_short");
  EXPECT_EQ(ErrorType(R"("")"), "string_too_short");
}

TEST(ParseIdempotencyKeyTest, LengthLimitIs255) {
  EXPECT_EQ(Key(Repeat("k", 255)), Repeat("k", 255));
  EXPECT_EQ(ErrorType(Repeat("k", 256)), "string_too_long");
  // The limit applies after unquoting.
  EXPECT_EQ(Key("\"" + Repeat("k", 255) + "\""), Repeat("k", 255));
  EXPECT_EQ(ErrorType("\"" + Repeat("k", 256) + "\""), "string_too_long");
  std::vector<FieldError> errors;
  (void)ParseIdempotencyKey(Repeat("k", 256), errors);
  EXPECT_THAT(errors, ElementsAre(ErrorIs(IdempotencyKeyLoc(), "string_too_long",
                                          "String should have at most 255 characters")));
}

TEST(ParseIdempotencyKeyTest, OnlyPrintableAscii) {
  EXPECT_EQ(ErrorType("abc\x01"), "string_pattern_mismatch");
  EXPECT_EQ(ErrorType("a\tb"), "string_pattern_mismatch");
  EXPECT_EQ(ErrorType("abc\x7F"), "string_pattern_mismatch");
  EXPECT_EQ(ErrorType("caf\xC3\xA9"), "string_pattern_mismatch");
  EXPECT_EQ(ErrorType(std::string("a\0b", 3)), "string_pattern_mismatch");
  EXPECT_EQ(ErrorType("\"caf\xC3\xA9\""), "value_error");
}

TEST(ParseIdempotencyKeyTest, AppendsToExistingErrors) {
  std::vector<FieldError> errors = {MissingError(BodyLoc("x"))};
  (void)ParseIdempotencyKey("", errors);
  EXPECT_THAT(errors, ElementsAre(ErrorAt(BodyLoc("x"), "missing"),
                                  ErrorAt(IdempotencyKeyLoc(), "string_too_short")));
}

}  // namespace
}  // namespace thrad
