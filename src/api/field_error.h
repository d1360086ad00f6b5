#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/fwd.hpp>

namespace thrad {

// One validation problem, as listed in a 422 body:
// {"loc": ["body","currency"], "msg": "...", "type": "..."}.
struct FieldError {
  std::vector<std::variant<std::string, int64_t>> loc;
  std::string msg;
  std::string type;

  bool operator==(const FieldError&) const = default;
};

// {"loc":[...],"msg":"...","type":"..."} for each error, in order.
boost::json::array FieldErrorsToJson(const std::vector<FieldError>& errors);

// Counts what section 5 sanitizing dropped (for the metrics); the request still succeeds.
struct SanitizeStats {
  int64_t dropped_keys = 0;     // bad names, past the 64-key cap
  int64_t dropped_values = 0;   // nested deeper than 3, array items past 100
  int64_t truncated_strings = 0;
};

// The outcome of a pure handler: a normalized record, or every problem found.
template <typename T>
struct Parsed {
  T record;  // meaningful only when errors is empty
  std::vector<FieldError> errors;
  SanitizeStats sanitize;

  bool ok() const { return errors.empty(); }
};

}  // namespace thrad
