#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The export rows (`export events`, `export conversions`, `export clicks`): which columns each
// store selects and how a selected row becomes one JSON line. Both stores use this one field list,
// so their output is the same byte for byte.
namespace thrad::export_format {

// One row of a backend's export query, read by 0-based column position. The columns are those
// of EventColumns(), ConversionColumns() or ClickColumns(), in that order. Text comes back as the
// store was given it. Valid only while the backend's row is current.
class ExportRow {
 public:
  virtual ~ExportRow() = default;
  virtual int64_t Int64(int column) const = 0;
  virtual std::optional<int64_t> OptInt64(int column) const = 0;
  virtual std::optional<std::string> OptText(int column) const = 0;
  virtual std::optional<double> OptDouble(int column) const = 0;
  virtual std::optional<bool> OptBool(int column) const = 0;
};

// The ExportRow over a backend's row type, which has the same methods (an SqliteStatement, a
// PgRow). Valid while `row` is.
template <typename Row>
class ExportRowOf final : public ExportRow {
 public:
  explicit ExportRowOf(const Row& row) : row_(row) {}
  int64_t Int64(int column) const override { return row_.Int64(column); }
  std::optional<int64_t> OptInt64(int column) const override { return row_.OptInt64(column); }
  std::optional<std::string> OptText(int column) const override { return row_.OptText(column); }
  std::optional<double> OptDouble(int column) const override { return row_.OptDouble(column); }
  std::optional<bool> OptBool(int column) const override { return row_.OptBool(column); }

 private:
  const Row& row_;
};

// The SELECT column list ("id, partner_id, ...") for the events / conversions / clicks table,
// valid SQL for both SQLite and PostgreSQL.
const std::string& EventColumns();
const std::string& ConversionColumns();
const std::string& ClickColumns();

// One export line (a JSON object without the newline) for a row selected with EventColumns() /
// ConversionColumns() / ClickColumns().
std::string EventJson(const ExportRow& row);
std::string ConversionJson(const ExportRow& row);
std::string ClickJson(const ExportRow& row);

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
