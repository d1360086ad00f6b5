#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "store/record_columns.h"
#include "store/sqlite/sqlite_db.h"

// SQLite statements over the column list of record_columns.h: the INSERTs of events,
// conversions and clicks and their binding.
namespace thrad {

// "INSERT INTO <table>(<columns>) VALUES(?,...)[,(?,...)...]" for `rows` rows of a `Record`,
// followed by " ON CONFLICT(<unique key>) DO NOTHING" unless `unique_key` is empty.
template <typename Record>
std::string SqliteInsertSql(std::string_view table, std::string_view unique_key, size_t rows) {
  std::string row = "(";
  for (int i = 0; i < ColumnCount<Record>(); ++i) row += i == 0 ? "?" : ",?";
  row += ')';
  std::string sql = "INSERT INTO " + std::string(table) + "(" + ColumnNames<Record>() + ") VALUES";
  for (size_t r = 0; r < rows; ++r) {
    if (r > 0) sql += ',';
    sql += row;
  }
  if (unique_key.empty()) return sql;
  return sql + " ON CONFLICT(" + std::string(unique_key) + ") DO NOTHING";
}

// Binds `value` as parameter `index`: text that lives in the record without copying it (the
// record must outlive the statement's run), a computed value by copy.
template <typename T>
void BindColumn(SqliteStatement& s, int index, T&& value) {
  using V = std::remove_cvref_t<T>;
  constexpr bool text =
      std::is_same_v<V, std::string> || std::is_same_v<V, std::optional<std::string>>;
  if constexpr (text && std::is_lvalue_reference_v<T>) {
    s.BindStatic(index, value);
  } else {
    s.Bind(index, value);
  }
}

// Binds `r`'s columns as row `row` (0-based) of a SqliteInsertSql statement. `r` must outlive
// the statement's run.
template <typename Record>
void BindRow(SqliteStatement& s, const Record& r, int row = 0) {
  int i = row * ColumnCount<Record>();
  ForEachColumn(r, [&](std::string_view, auto&& value) {
    BindColumn(s, ++i, std::forward<decltype(value)>(value));
  });
}

}  // namespace thrad
