#include "api/json_body.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value_stack.hpp>
#include <cmath>
#include <cstdint>
#include <optional>

#include "api/string_fields.h"

namespace thrad {
namespace {

namespace json = boost::json;

// A basic_parser handler that builds the DOM through json::value_stack (as json::parser does)
// and records the source text of the numbers that are direct members of the top-level object
// and, with a tracked array key, of each object element of that top-level array member.
//
// Depths: the top-level object's members are at depth 1; the tracked array's elements at
// depth 2; the members of an element object at depth 3.
class BodyHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  BodyHandler(RawNumbers* raw_numbers, std::vector<RawNumbers>* element_raw_numbers,
              std::optional<std::string_view> tracked_array)
      : raw_numbers_(raw_numbers),
        element_raw_numbers_(element_raw_numbers),
        tracked_array_(tracked_array) {}

  json::value_stack& stack() { return st_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_object_begin(json::error_code&) {
    OnValue();
    if (depth_ == 0) top_is_object_ = true;
    if (AtElementStart()) element_is_object_ = true;
    ++depth_;
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    --depth_;
    st_.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) {
    const bool tracked = AtTop() && tracked_array_ && key_ == *tracked_array_;
    OnValue();
    ++depth_;
    if (tracked) {
      in_tracked_ = true;  // a later duplicate of the key replaces the earlier array
      element_raw_numbers_->clear();
    }
    return true;
  }
  bool on_array_end(std::size_t n, json::error_code&) {
    --depth_;
    if (depth_ == 1) in_tracked_ = false;
    st_.push_array(n);
    return true;
  }

  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    if (AtTop()) key_.append(s.data(), s.size());
    if (InElement()) element_key_.append(s.data(), s.size());
    st_.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    if (AtTop()) key_.append(s.data(), s.size());
    if (InElement()) element_key_.append(s.data(), s.size());
    st_.push_key(s);
    return true;
  }

  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    st_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    OnValue();
    st_.push_string(s);
    return true;
  }

  bool on_number_part(json::string_view s, json::error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view s, json::error_code&) {
    OnNumber(s);
    st_.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view s, json::error_code&) {
    OnNumber(s);
    st_.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view s, json::error_code&) {
    OnNumber(s);
    st_.push_double(d);
    return true;
  }

  bool on_bool(bool b, json::error_code&) {
    OnValue();
    st_.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    OnValue();
    st_.push_null();
    return true;
  }

  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  // Inside the top-level object itself (not in a nested container).
  bool AtTop() const { return depth_ == 1 && top_is_object_; }
  // A value here is an element of the tracked array.
  bool AtElementStart() const { return depth_ == 2 && in_tracked_; }
  // Inside an element object of the tracked array itself (not in a nested container).
  bool InElement() const { return depth_ == 3 && in_tracked_ && element_is_object_; }

  // A value that is not a number starts: a duplicate key must not keep an older number's text.
  void OnValue() {
    if (AtTop()) {
      auto it = raw_numbers_->find(key_);
      if (it != raw_numbers_->end()) raw_numbers_->erase(it);
      key_.clear();
    }
    if (AtElementStart()) {
      element_raw_numbers_->emplace_back();
      element_is_object_ = false;
    }
    if (InElement()) {
      RawNumbers& raw = element_raw_numbers_->back();
      auto it = raw.find(element_key_);
      if (it != raw.end()) raw.erase(it);
      element_key_.clear();
    }
  }

  void OnNumber(json::string_view last_part) {
    number_.append(last_part.data(), last_part.size());
    if (AtTop()) {
      (*raw_numbers_)[key_] = number_;  // last duplicate wins, as in the DOM
      key_.clear();
    }
    if (AtElementStart()) element_raw_numbers_->emplace_back();
    if (InElement()) {
      element_raw_numbers_->back()[element_key_] = number_;
      element_key_.clear();
    }
    number_.clear();
  }

  json::value_stack st_;
  RawNumbers* raw_numbers_;
  std::vector<RawNumbers>* element_raw_numbers_;
  std::optional<std::string_view> tracked_array_;  // top-level array member to look into
  size_t depth_ = 0;
  bool top_is_object_ = false;
  bool in_tracked_ = false;         // inside the tracked array
  bool element_is_object_ = false;  // the current element of the tracked array is an object
  std::string key_;                 // the current key of the top-level object
  std::string element_key_;         // the current key of the current element object
  std::string number_;              // the text of the number being parsed
};

Parsed<JsonBody> Fail(FieldError error) {
  Parsed<JsonBody> out;
  out.errors.push_back(std::move(error));
  return out;
}

}  // namespace

const std::string* RawNumberOf(const json::object& object, const RawNumbers& raw,
                               std::string_view key) {
  const json::value* v = object.if_contains(key);
  if (v == nullptr || !v->is_number()) return nullptr;
  auto it = raw.find(key);
  return it == raw.end() ? nullptr : &it->second;
}

const std::string* JsonBody::RawNumber(std::string_view key) const {
  return RawNumberOf(object, raw_numbers, key);
}

namespace {

Parsed<JsonBody> ParseBody(std::string_view body, std::optional<std::string_view> tracked_array) {
  if (IsBlank(body)) return Fail(JsonInvalidError("the body is empty"));
  if (!IsValidUtf8(body)) return Fail(JsonInvalidError("the body is not valid UTF-8"));

  RawNumbers raw_numbers;
  std::vector<RawNumbers> element_raw_numbers;
  json::parse_options options;  // strict RFC 8259 by default
  options.max_depth = kMaxJsonDepth;
  json::basic_parser<BodyHandler> parser(options, &raw_numbers, &element_raw_numbers,
                                         tracked_array);
  // The whole DOM (and every copy made of its parts later) is allocated from one arena that
  // JsonBody owns and frees at once: a malloc/free per string, object and array was a tenth
  // of the request path's CPU, more for batches; a shared (reference-counted) arena still
  // cost an atomic operation per value copied and a walk of every value destroyed.
  auto arena = std::make_unique<json::monotonic_resource>(2 * body.size() + 1024);
  parser.handler().stack().reset(json::storage_ptr(arena.get()));

  json::error_code ec;
  const std::size_t consumed = parser.write_some(false, body.data(), body.size(), ec);
  // write_some stops after one complete value (and the whitespace after it): anything left is
  // a second value or garbage.
  if (!ec && consumed != body.size()) ec = json::error::extra_data;
  if (ec) {
    if (ec == json::error::too_deep) {
      return Fail(
          JsonInvalidError("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"));
    }
    if (ec == json::error::extra_data) {
      return Fail(JsonInvalidError("unexpected data after the JSON value at byte " +
                                   std::to_string(consumed)));
    }
    if (ec == json::error::incomplete) {
      return Fail(JsonInvalidError("unexpected end of the body"));
    }
    return Fail(JsonInvalidError(ec.message() + " at byte " + std::to_string(consumed)));
  }
  json::value root = parser.handler().stack().release();
  if (!root.is_object()) return Fail(NotAnObjectBodyError());
  // Constructed, not assigned: a json::object keeps the storage it was constructed with, and
  // assigning across storages would copy the whole DOM out of the arena.
  return Parsed<JsonBody>{
      .record = JsonBody{std::move(arena), std::move(root.get_object()), std::move(raw_numbers),
                         std::move(element_raw_numbers)},
      .errors = {},
      .sanitize = {}};
}

}  // namespace

Parsed<JsonBody> ParseJsonObjectBody(std::string_view body) {
  return ParseBody(body, std::nullopt);
}

Parsed<JsonBody> ParseJsonBatchBody(std::string_view body, std::string_view array_key) {
  return ParseBody(body, array_key);
}

bool HasNonFiniteNumber(const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_:
      return !std::isfinite(v.get_double());
    case json::kind::array:
      for (const json::value& item : v.get_array()) {
        if (HasNonFiniteNumber(item)) return true;
      }
      return false;
    case json::kind::object:
      for (const auto& member : v.get_object()) {
        if (HasNonFiniteNumber(member.value())) return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace thrad
