#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "api/json_body.h"

namespace thrad {

// Reads the optional integer `field` of `body`, 0 up to INT64_MAX (Unix seconds,
// milliseconds), from its source text in `raw_numbers` (see JsonBody). Absent or null:
// nullopt, no error. A number whose exact value is whole is accepted ("1.0", "1e3"); 1.5 is
// int_from_float; booleans and strings are int_type; a negative value is greater_than_equal,
// one past INT64_MAX less_than_equal. Each appends one error at ["body", field] and yields
// nullopt.
std::optional<int64_t> OptionalNonNegativeInt(const boost::json::object& body,
                                              const RawNumbers& raw_numbers, std::string_view field,
                                              std::vector<FieldError>& errors);

}  // namespace thrad
