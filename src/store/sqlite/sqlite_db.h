#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace thrad {

// Maps an SQLite result code to a Status: BUSY/LOCKED -> Unavailable; FULL/IOERR/CANTOPEN/
// READONLY -> IoError; CORRUPT/NOTADB -> Corruption; CONSTRAINT_PRIMARYKEY/UNIQUE ->
// AlreadyExists; other constraints -> InvalidArgument; anything else -> Internal. The
// message holds `what`, SQLite's text and the extended code.
Status SqliteError(int rc, std::string_view what, sqlite3* db = nullptr);

// A prepared statement borrowed from a SqliteDb's cache. Bind indexes are 1-based, column
// indexes 0-based. Destroying the handle resets the statement and clears its bindings, so a
// read never keeps its snapshot open past the handle's scope.
//
// Not thread-safe; valid only while its SqliteDb lives and used by one thread at a time.
class SqliteStatement {
 public:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Binding never fails for a valid index; a wrong index shows up as an error from Step.
  void Bind(int index, std::string_view text);
  void Bind(int index, const std::string& text) { Bind(index, std::string_view(text)); }
  void Bind(int index, const char* text) { Bind(index, std::string_view(text)); }
  void Bind(int index, int64_t value);
  void Bind(int index, const std::optional<std::string>& text);  // NULL when absent
  void Bind(int index, const std::optional<int64_t>& value);     // NULL when absent
  void Bind(int index, double value);
  void Bind(int index, const std::optional<double>& value);  // NULL when absent
  void Bind(int index, const std::optional<bool>& value);    // 1 or 0; NULL when absent
  void BindNull(int index);
  void BindBlob(int index, std::string_view bytes);  // bytes, not text (copied)
  // Binds without copying: `text` must stay alive and unchanged until the statement is reset
  // (or destroyed). For the hot write path, where a copy per column is measurable.
  void BindStatic(int index, std::string_view text);
  void BindStatic(int index, const std::string& text) { BindStatic(index, std::string_view(text)); }
  void BindStatic(int index, const std::optional<std::string>& text);  // NULL when absent

  // Advances. true: a row is available; false: done. Non-ok on any SQLite error.
  Result<bool> Step();
  // Runs to completion, expecting no rows (INSERT/UPDATE/DDL).
  Status Run();
  // Resets so the statement can run again with new bindings (done by the destructor too).
  void Reset();

  bool IsNull(int column) const;
  int64_t Int64(int column) const;
  std::string Text(int column) const;
  // The text without a copy: valid until the next Step, Reset or column read of this column.
  std::string_view TextView(int column) const;
  int ColumnCount() const;
  std::string Blob(int column) const;  // a BLOB's bytes ("" when NULL)
  std::optional<std::string> OptText(int column) const;
  std::optional<int64_t> OptInt64(int column) const;
  std::optional<double> OptDouble(int column) const;
  std::optional<bool> OptBool(int column) const;  // an INTEGER 0/1 column

 private:
  sqlite3_stmt* stmt_;
};

// One SQLite connection (RAII) with a cache of prepared statements keyed by SQL text.
//
// Not thread-safe: the owner serializes every use of one SqliteDb (and of its statements).
class SqliteDb {
 public:
  // Opens `path` read-write (creating it when `create`), with extended result codes.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool create);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without results (sqlite3_exec).
  Status Exec(std::string_view sql);
  // A cached statement for `sql` (prepared on first use, kept for the connection's life).
  Result<SqliteStatement> Prepare(std::string_view sql);
  // Prepares (cached) and runs one statement that returns no rows, e.g. "SAVEPOINT op".
  Status Run(std::string_view sql);

  // Rows changed by the most recent INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;
  // True when a transaction is open (false after SQLite rolled one back by itself).
  bool InTransaction() const;
  sqlite3* raw() const { return db_; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}

  // Looks up by string_view without building a std::string (hot: every statement run).
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> cache_;
};

// Runs `body` (returning Status) inside BEGIN IMMEDIATE ... COMMIT on `db`; rolls back when
// `body` or COMMIT fails and returns that failure.
template <typename Body>
Status InWriteTransaction(SqliteDb& db, Body&& body) {
  THRAD_RETURN_IF_ERROR(db.Run("BEGIN IMMEDIATE"));
  Status st = body();
  if (st.ok()) st = db.Run("COMMIT");
  if (!st.ok() && db.InTransaction()) (void)db.Run("ROLLBACK");
  return st;
}

}  // namespace thrad
