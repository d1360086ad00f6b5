#include "api/currency.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace thrad {
namespace {

TEST(NormalizeCurrencyTest, CommonCodesAnyCase) {
  EXPECT_EQ(NormalizeCurrency("USD"), "USD");
  EXPECT_EQ(NormalizeCurrency("usd"), "USD");
  EXPECT_EQ(NormalizeCurrency("Eur"), "EUR");
  EXPECT_EQ(NormalizeCurrency("gBp"), "GBP");
  EXPECT_EQ(NormalizeCurrency("JPY"), "JPY");
  EXPECT_EQ(NormalizeCurrency("chf"), "CHF");
}

TEST(NormalizeCurrencyTest, FundMetalAndSupranationalCodes) {
  for (const char* code :
       {"USN", "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "UYI", "UYW", "XAU", "XAG", "XPD",
        "XPT", "XDR", "XAF", "XOF", "XPF", "XCD", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD"}) {
    EXPECT_EQ(NormalizeCurrency(code), code) << code;
  }
}

TEST(NormalizeCurrencyTest, RecentAmendments) {
  EXPECT_EQ(NormalizeCurrency("XCG"), "XCG");  // Caribbean guilder, 2025
  EXPECT_EQ(NormalizeCurrency("ZWG"), "ZWG");  // Zimbabwe Gold, 2024
  EXPECT_EQ(NormalizeCurrency("VED"), "VED");
  EXPECT_EQ(NormalizeCurrency("SLE"), "SLE");
  EXPECT_EQ(NormalizeCurrency("HRK"), std::nullopt);  // withdrawn 2023, now EUR
}

TEST(NormalizeCurrencyTest, TestingAndNoCurrencyCodesAreRejected) {
  EXPECT_EQ(NormalizeCurrency("XTS"), std::nullopt);
  EXPECT_EQ(NormalizeCurrency("XXX"), std::nullopt);
  EXPECT_EQ(NormalizeCurrency("xxx"), std::nullopt);
}

TEST(NormalizeCurrencyTest, UnknownOrMalformed) {
  for (const char* code : {"", "US", "USDD", "ABC", "ZZZ", "DEM", "FRF", "US ", " USD", "U$D",
                           "123", "usd\n", "BTC", "EURO"}) {
    EXPECT_EQ(NormalizeCurrency(code), std::nullopt) << code;
  }
  EXPECT_EQ(NormalizeCurrency(std::string_view("US\0", 3)), std::nullopt);
  EXPECT_EQ(NormalizeCurrency("\xC3\xBCSD"), std::nullopt);    // "üSD" is 4 bytes anyway
  EXPECT_EQ(NormalizeCurrency("\xC5\xBF\x44"), std::nullopt);  // long s: no Unicode folding
}

TEST(AcceptedCurrenciesTest, FullSortedUpperCaseList) {
  const auto codes = AcceptedCurrencies();
  EXPECT_EQ(codes.size(), 180u);
  EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()));
  for (std::string_view code : codes) {
    ASSERT_EQ(code.size(), 3u);
    EXPECT_TRUE(std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
    EXPECT_EQ(NormalizeCurrency(code), std::string(code));
    std::string lower(code);
    for (char& c : lower) c = static_cast<char>(c - 'A' + 'a');
    EXPECT_EQ(NormalizeCurrency(lower), std::string(code));
  }
}

}  // namespace
}  // namespace thrad
