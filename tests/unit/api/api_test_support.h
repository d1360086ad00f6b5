#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "api/request_context.h"

namespace thrad::test {

// The context of an authenticated request, as the HTTP layer fills it.
inline RequestContext TestContext() {
  RequestContext ctx;
  ctx.partner_id = "partner_1";
  ctx.key_id = "key_0123abcd";
  ctx.key_label = "Main server";
  ctx.client_ip = "203.0.113.7";
  ctx.received_at = 1771524000'000000;  // 2026-02-19T18:00:00Z
  return ctx;
}

inline FieldLoc BodyAt(std::string_view field) { return BodyLoc(field); }
inline FieldLoc BodyRoot() { return {std::string("body")}; }

// Matches a FieldError by loc and type.
MATCHER_P2(ErrorAt, loc, type, "") {
  *result_listener << "loc size " << arg.loc.size() << ", type " << arg.type << ", msg " << arg.msg;
  return arg.loc == FieldLoc(loc) && arg.type == type;
}

// Matches a FieldError by loc, type and msg.
MATCHER_P3(ErrorIs, loc, type, msg, "") {
  *result_listener << "type " << arg.type << ", msg " << arg.msg;
  return arg.loc == FieldLoc(loc) && arg.type == type && arg.msg == msg;
}

// A string of `n` copies of `unit` (e.g. a multi-byte character).
inline std::string Repeat(std::string_view unit, size_t n) {
  std::string out;
  out.reserve(unit.size() * n);
  for (size_t i = 0; i < n; ++i) out.append(unit);
  return out;
}

// A JSON string literal for `text` (quoted, escaped).
inline std::string Quote(std::string_view text) {
  return boost::json::serialize(boost::json::value(boost::json::string(text)));
}

inline boost::json::object ParseObject(std::string_view text) {
  return boost::json::parse(text).as_object();
}

}  // namespace thrad::test
