#include "api/extras.h"

#include <boost/json/array.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>

#include "api/string_fields.h"

namespace thrad {
namespace {

namespace json = boost::json;

// [A-Za-z0-9_.-]{1,64}
bool IsValidKey(std::string_view key) {
  if (key.empty() || key.size() > static_cast<size_t>(kMaxExtraKeyLength)) return false;
  for (char c : key) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Bytes of the control character starting at text[i] (C0, DEL, or C1 = U+0080-U+009F,
// encoded C2 80-C2 9F), or 0 when text[i] does not start one.
size_t ControlCharBytes(std::string_view text, size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x20 || c == 0x7F) return 1;
  if (c == 0xC2 && i + 1 < text.size()) {
    const auto next = static_cast<unsigned char>(text[i + 1]);
    if (next >= 0x80 && next <= 0x9F) return 2;
  }
  return 0;
}

json::string SanitizeString(std::string_view text, SanitizeStats& stats) {
  std::string cleaned;
  cleaned.reserve(text.size());
  bool removed = false;
  for (size_t i = 0; i < text.size();) {
    const size_t control = ControlCharBytes(text, i);
    if (control > 0) {
      removed = true;
      i += control;
    } else {
      cleaned.push_back(text[i]);
      ++i;
    }
  }
  if (removed) ++stats.cleaned_strings;
  const std::string_view kept = Utf8Prefix(cleaned, kMaxExtraStringChars);
  if (kept.size() < cleaned.size()) ++stats.truncated_strings;
  return json::string(kept);
}

std::optional<json::value> SanitizeValue(const json::value& v, int depth, SanitizeStats& stats);

// Copies the members of `in` (an object at `depth`) that pass the key rules; their values are
// at depth + 1.
json::object SanitizeObject(const json::object& in, int depth, SanitizeStats& stats) {
  json::object out;
  int kept = 0;
  for (const auto& member : in) {
    if (!IsValidKey(member.key()) || kept >= kMaxExtraKeys) {
      ++stats.dropped_keys;
      continue;
    }
    std::optional<json::value> value = SanitizeValue(member.value(), depth + 1, stats);
    if (!value) continue;  // counted in dropped_values
    out.emplace(member.key(), std::move(*value));
    ++kept;
  }
  return out;
}

// The sanitized copy of `v`, a value at `depth` (the values of the top-level extra keys are at
// depth 1); nullopt when it is dropped.
std::optional<json::value> SanitizeValue(const json::value& v, int depth, SanitizeStats& stats) {
  if (depth > kMaxExtraDepth) {
    ++stats.dropped_values;
    return std::nullopt;
  }
  switch (v.kind()) {
    case json::kind::string:
      return json::value(SanitizeString(v.get_string(), stats));
    case json::kind::double_:
      if (!std::isfinite(v.get_double())) {  // 1e400: JSON cannot store infinity
        ++stats.dropped_values;
        return std::nullopt;
      }
      return v;
    case json::kind::object:
      return json::value(SanitizeObject(v.get_object(), depth, stats));
    case json::kind::array: {
      json::array out;
      const json::array& in = v.get_array();
      size_t index = 0;
      for (const json::value& item : in) {
        if (index++ >= static_cast<size_t>(kMaxExtraArrayItems)) {
          ++stats.dropped_values;
          continue;
        }
        std::optional<json::value> kept = SanitizeValue(item, depth + 1, stats);
        if (kept) out.push_back(std::move(*kept));
      }
      return json::value(std::move(out));
    }
    default:  // int64, uint64, bool, null: kept as they are
      return v;
  }
}

}  // namespace

boost::json::object SanitizeExtra(const boost::json::object& unknown, SanitizeStats& stats) {
  return SanitizeObject(unknown, 0, stats);
}

}  // namespace thrad
