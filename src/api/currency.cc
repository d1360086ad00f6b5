#include "api/currency.h"

#include <algorithm>
#include <array>

namespace thrad {
namespace {

// ISO 4217 List One (alphabetic codes), as in Debian's iso-codes 4.15 with later amendments:
// - added: XCG (Caribbean guilder, 2025), ZWG (Zimbabwe Gold, 2024);
// - removed: HRK (withdrawn 2023-01-01, Croatia uses EUR);
// - codes being phased out after a redenomination (ANG, SLL, ZWL, CUC) are still accepted:
//   late-reported conversions may carry them;
// - fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), precious metals (XAU, XAG,
//   XPD, XPT), bond-market units (XBA-XBD), XDR, XSU and XUA are accepted like any code;
// - XTS (reserved for testing) and XXX (no currency) are rejected: a conversion value needs
//   a real currency.
constexpr auto kCurrencies = std::to_array<std::string_view>({
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
    "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW",
    "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD",
    "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR",
    "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL",
    "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES",
    "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR",
    "XOF", "XPD", "XPF", "XPT", "XSU", "XUA", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
});

static_assert(std::is_sorted(kCurrencies.begin(), kCurrencies.end()));
static_assert(std::adjacent_find(kCurrencies.begin(), kCurrencies.end()) == kCurrencies.end());

}  // namespace

std::optional<std::string> NormalizeCurrency(std::string_view code) {
  if (code.size() != 3) return std::nullopt;
  std::string upper(code);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    } else if (c < 'A' || c > 'Z') {
      return std::nullopt;
    }
  }
  if (!std::binary_search(kCurrencies.begin(), kCurrencies.end(), std::string_view(upper))) {
    return std::nullopt;
  }
  return upper;
}

std::span<const std::string_view> AcceptedCurrencies() { return kCurrencies; }

}  // namespace thrad
