#include "store/postgres/pg_result.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <utility>

#include "store/postgres/pg_text.h"

namespace thrad {

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    if (res_) PQclear(res_);
    res_ = std::exchange(other.res_, nullptr);
  }
  return *this;
}

PgResult::~PgResult() {
  if (res_) PQclear(res_);
}

int PgResult::Rows() const { return res_ ? PQntuples(res_) : 0; }

bool PgResult::IsNull(int row, int column) const { return PQgetisnull(res_, row, column) != 0; }

std::string_view PgResult::Text(int row, int column) const {
  return std::string_view(PQgetvalue(res_, row, column),
                          static_cast<size_t>(PQgetlength(res_, row, column)));
}

std::string PgResult::Str(int row, int column) const { return PgDecodeText(Text(row, column)); }

std::optional<std::string> PgResult::OptText(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Str(row, column);
}

int64_t PgResult::Int64(int row, int column) const {
  std::string_view t = Text(row, column);
  int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

std::optional<int64_t> PgResult::OptInt64(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int64(row, column);
}

std::optional<double> PgResult::OptDouble(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  // float8 output is the shortest exact text (extra_float_digits >= 1, the default since 12).
  return std::strtod(PQgetvalue(res_, row, column), nullptr);
}

std::optional<bool> PgResult::OptBool(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Text(row, column) == "t";
}

uint64_t PgResult::Affected() const {
  const char* n = res_ ? PQcmdTuples(res_) : "";
  return std::strtoull(n, nullptr, 10);
}

std::string_view PgResult::CommandTag() const { return res_ ? PQcmdStatus(res_) : ""; }

}  // namespace thrad
