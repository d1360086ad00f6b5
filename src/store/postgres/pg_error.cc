#include "store/postgres/pg_error.h"

#include <algorithm>
#include <utility>

namespace thrad {

Status PgErrorStatus(std::string_view sqlstate, std::string message) {
  auto cls = sqlstate.substr(0, std::min<size_t>(2, sqlstate.size()));
  if (sqlstate.empty() || cls == "08" || cls == "53" || cls == "57" || cls == "40" || cls == "58" ||
      sqlstate == "55P03" || sqlstate == "55006") {
    return Status::Unavailable(std::move(message));
  }
  if (sqlstate == "23505") return Status::AlreadyExists(std::move(message));
  if (cls == "22" || cls == "23" || cls == "54") return Status::InvalidArgument(std::move(message));
  return Status::Internal(std::move(message));
}

bool IsRetryableSqlState(std::string_view sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";
}

std::string PgFirstLine(const char* text) {
  std::string_view m = text ? text : "";
  m = m.substr(0, m.find('\n'));
  for (std::string_view prefix : {"ERROR:  ", "FATAL:  "}) {
    if (m.starts_with(prefix)) m.remove_prefix(prefix.size());
  }
  return std::string(m.empty() ? std::string_view("unknown error") : m);
}

}  // namespace thrad
