#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <type_traits>

#include "common/status.h"

// ASSERT_OK(expr) / EXPECT_OK(expr): on failure they print the expression and why it is not
// ok, where ASSERT_TRUE(x.ok()) prints only "false". `expr` is a Status, a Result<T>, or any
// value with ok() that explains itself by a status() or a list of field `errors` (the
// handlers' Parsed<T>) or an `error` with a message (DecimalInt).

namespace thrad::test {

template <typename T>
std::string WhyNotOk(const T& v) {
  if constexpr (std::is_same_v<T, Status>) {
    return v.ToString();
  } else if constexpr (requires { v.status().ToString(); }) {
    return v.status().ToString();
  } else if constexpr (requires { v.errors.front().msg; }) {
    std::ostringstream out;
    out << v.errors.size() << " error(s):";
    for (const auto& e : v.errors) out << " [" << e.type << ": " << e.msg << "]";
    return out.str();
  } else if constexpr (requires { v.error->message; }) {
    return v.error->message;
  } else {
    return "not ok";
  }
}

template <typename T>
::testing::AssertionResult IsOk(const char* expr, const T& value) {
  if (value.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expr << " is not ok: " << WhyNotOk(value);
}

}  // namespace thrad::test

#define ASSERT_OK(expr) ASSERT_PRED_FORMAT1(::thrad::test::IsOk, expr)
#define EXPECT_OK(expr) EXPECT_PRED_FORMAT1(::thrad::test::IsOk, expr)
