#pragma once

#include <cstdint>

namespace CLI {
class Validator;
}  // namespace CLI

namespace thrad {

// Validators for numeric options whose refusal says in words what the option expects, e.g.
//
//   --max-queue: expected a whole number from 1 to 1000000, got 'lots'
//
// CLI11 runs them on the text before converting it, whether it came from the flag, a THRAD_*
// variable or the config file, so all three give the same message (CLI11's own Range printed
// "Value lots not in range 0.000000 to 17976931348623157…", 309 digits). Every numeric option
// has one, with a real upper bound.
CLI::Validator WholeNumber(int64_t min, int64_t max);
// A decimal number (1, 2.5, 1e3); never inf or nan.
CLI::Validator Number(double min, double max);

}  // namespace thrad
