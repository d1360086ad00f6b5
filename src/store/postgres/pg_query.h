#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace thrad {

// One statement with text-format parameters ($1, $2, ...); nullopt binds NULL.
// With a `name`, PgConn::Pipeline prepares the statement once per connection (the first time it
// is sent) and then only binds and executes it: no parse and plan per batch.
struct PgQuery {
  PgQuery(std::string sql_text, std::vector<std::optional<std::string>> values = {},
          std::string statement_name = {})
      : sql(std::move(sql_text)), params(std::move(values)), name(std::move(statement_name)) {}

  std::string sql;
  std::vector<std::optional<std::string>> params;
  std::string name;  // empty: an unnamed statement, parsed and planned every time
};

// Builds the text form of a one-dimensional PostgreSQL array ("{...}") for a parameter such as
// `$1::text[]`, so one statement can carry a whole batch (`unnest($1::text[], ...)`).
class PgArray {
 public:
  PgArray() : text_("{") {}
  void Add(std::string_view text);  // in its stored form (PgEncodeText), quoted and escaped
  void Add(const std::string& text) { Add(std::string_view(text)); }
  void Add(const std::optional<std::string>& text);
  void Add(int64_t value);
  void Add(const std::optional<int64_t>& value);
  // A float8 in its shortest exact text (a value that is not finite as NULL).
  void Add(const std::optional<double>& value);
  void Add(const std::optional<bool>& value);  // true / false
  void AddNull();
  void Reserve(size_t bytes) { text_.reserve(bytes); }
  std::string Finish() &&;

 private:
  void Separator();
  void AddStored(std::string_view text);
  std::string text_;
  bool empty_ = true;
};

}  // namespace thrad
