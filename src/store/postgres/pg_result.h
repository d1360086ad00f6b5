#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct pg_result;

namespace thrad {

// One result of a libpq command (RAII over PGresult). Row and column indexes are 0-based;
// values are in text format.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(pg_result* res) : res_(res) {}
  PgResult(PgResult&& other) noexcept : res_(other.res_) { other.res_ = nullptr; }
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  int Rows() const;
  bool IsNull(int row, int column) const;
  // The raw text of a value ("" when NULL): numbers, or text known to be stored as is.
  std::string_view Text(int row, int column) const;
  // A text column's value as the store was given it (PgDecodeText).
  std::string Str(int row, int column) const;
  std::optional<std::string> OptText(int row, int column) const;
  int64_t Int64(int row, int column) const;  // 0 when NULL or not a number
  std::optional<int64_t> OptInt64(int row, int column) const;
  std::optional<double> OptDouble(int row, int column) const;
  std::optional<bool> OptBool(int row, int column) const;  // a boolean column ("t" / "f")
  // Rows affected by an INSERT/UPDATE/DELETE (PQcmdTuples).
  uint64_t Affected() const;
  // The command tag, e.g. "COMMIT" (a COMMIT of a failed transaction answers "ROLLBACK").
  std::string_view CommandTag() const;
  pg_result* raw() const { return res_; }

 private:
  pg_result* res_ = nullptr;
};

// One row of a result, read by column alone: what readers written for any store's rows take
// (ReadClickColumns, export_format::ExportRowOf). Valid while `result` lives.
class PgRow {
 public:
  PgRow(const PgResult& result, int row) : r_(result), row_(row) {}
  int64_t Int64(int column) const { return r_.Int64(row_, column); }
  std::optional<int64_t> OptInt64(int column) const { return r_.OptInt64(row_, column); }
  std::optional<std::string> OptText(int column) const { return r_.OptText(row_, column); }
  std::optional<double> OptDouble(int column) const { return r_.OptDouble(row_, column); }
  std::optional<bool> OptBool(int column) const { return r_.OptBool(row_, column); }

 private:
  const PgResult& r_;
  const int row_;
};

}  // namespace thrad
