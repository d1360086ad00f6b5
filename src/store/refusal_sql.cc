#include "store/refusal_sql.h"

namespace thrad {

std::string RefusalCountsSql(const RefusalQuery& q, bool postgres) {
  std::string sql =
      "SELECT route, status, detail, type, loc, SUM(count) FROM refusal_counts WHERE bucket >= ";
  sql += postgres ? "$1" : "?1";
  if (q.partner_id) sql += postgres ? " AND partner_id = $2" : " AND partner_id = ?2";
  sql +=
      " GROUP BY route, status, detail, type, loc "
      "ORDER BY SUM(count) DESC, route, status, detail, type, loc";
  return sql;
}

std::string RefusalSamplesSql(const RefusalQuery& q, bool postgres) {
  std::string sql =
      "SELECT at, route, status, detail, errors, request_id, key_id, partner_id "
      "FROM refusal_samples WHERE at >= ";
  sql += postgres ? "$1" : "?1";
  if (q.partner_id) sql += postgres ? " AND partner_id = $2" : " AND partner_id = ?2";
  const char* limit = q.partner_id ? (postgres ? "$3" : "?3") : (postgres ? "$2" : "?2");
  sql += " ORDER BY at DESC, id DESC LIMIT ";
  sql += limit;
  return sql;
}

}  // namespace thrad
