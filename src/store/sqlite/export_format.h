#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/records.h"

// Private formatting for the export rows. TODO: switch to common/time_format.h
// (FormatRfc3339) and common/decimal.h once those land; the output must stay identical.
namespace thrad::export_format {

// Builds one JSON object's text field by field, so a field can carry number text that
// boost::json would round (an exact decimal). Keys must be unique; insertion order is kept.
class JsonObjectWriter {
 public:
  JsonObjectWriter() : out_("{") {}
  void Add(std::string_view key, const boost::json::value& value);
  // `json_text` must already be one valid JSON value.
  void AddRaw(std::string_view key, std::string_view json_text);
  // The finished object; the writer must not be used afterwards.
  std::string Finish() &&;

 private:
  void Key(std::string_view key);
  std::string out_;
};

// A stored JSON document (consent, params) as a value: parsed when valid, else the raw text
// as a string (never silently dropped); null when absent.
boost::json::value StoredJson(const std::optional<std::string>& text);

}  // namespace thrad::export_format
