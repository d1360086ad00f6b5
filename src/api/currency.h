#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace thrad {

// The upper-case form of `code` when it is, in any letter case, an accepted ISO 4217
// alphabetic code (see currency.cc for which codes are accepted); nullopt otherwise, including
// for anything that is not exactly three ASCII letters.
std::optional<std::string> NormalizeCurrency(std::string_view code);

// Every accepted code, upper-case and sorted.
std::span<const std::string_view> AcceptedCurrencies();

}  // namespace thrad
