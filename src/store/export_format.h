#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The export rows (`export events`, `export conversions`): which columns each store selects and
// how a selected row becomes one JSON line. Both stores use this one field list, so their output
// is the same byte for byte.
namespace thrad::export_format {

// One row of a backend's export query, read by 0-based column position. The columns are those
// of EventColumns() or ConversionColumns(), in that order. Text comes back as the store was
// given it. Valid only while the backend's row is current.
class ExportRow {
 public:
  virtual ~ExportRow() = default;
  virtual int64_t Int64(int column) const = 0;
  virtual std::optional<int64_t> OptInt64(int column) const = 0;
  virtual std::optional<std::string> OptText(int column) const = 0;
};

// The SELECT column list ("id, partner_id, ...") for the events / conversions table, valid SQL
// for both SQLite and PostgreSQL.
const std::string& EventColumns();
const std::string& ConversionColumns();

// One export line (a JSON object without the newline) for a row selected with EventColumns() /
// ConversionColumns().
std::string EventJson(const ExportRow& row);
std::string ConversionJson(const ExportRow& row);

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
