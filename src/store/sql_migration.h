#pragma once

#include <string_view>

namespace thrad {

// One schema migration: applied once, in ascending version order. The migrations of each
// backend are compiled into the binary from schema/<backend>/NNN_name.sql
// (cmake/embed_sql.cmake).
struct SqlMigration {
  int version;
  std::string_view name;  // file name under schema/<backend>/, e.g. "001_init.sql"
  std::string_view sql;
};

}  // namespace thrad
