// PostgresStore: erasure (`erase`): one person's rows of one partner, deleted in short statements
// while the servers write.
//
// The walk. Nothing indexes client_id, session_id or client_ip, and this adds no index: each one
// would cost every insert of every server an index entry (and its WAL) for a command run rarely.
// Every partner's rows are already one range of a primary key that starts with partner_id:
// events and conversions (partner_id, id), clicks (partner_id, click_id). So each step is ONE
// statement (one round trip, a transaction of its own) that reads the next batch_size rows of
// the partner's range after the cursor and deletes those that match, returning the new cursor and
// the counts: at most batch_size rows per transaction, row locks only (inserts never wait for
// them), and each row of the partner read once. Other partners' rows are never read.
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pg_store.h"
#include "store/postgres/pg_text.h"

namespace thrad {
namespace {

// One step over `table`'s rows of partner $1 with `key` after the cursor $2 (NULL: from the
// start), $5 rows at most: deletes (a dry run: counts) those whose `column` is $3 or $4, and
// answers the step's last key (NULL: no row), how many rows it read and how many matched.
std::string StepSql(std::string_view table, std::string_view key, std::string_view key_type,
                    std::string_view column, bool dry_run) {
  const std::string t(table), k(key), c(column);
  std::string sql = "WITH w AS (SELECT " + k + ", coalesce(" + c +
                    " IN ($3, $4), false) AS hit FROM " + t +
                    " WHERE partner_id = $1 AND ($2::" + std::string(key_type) + " IS NULL OR " +
                    k + " > $2) ORDER BY " + k + " LIMIT $5)";
  if (dry_run) {
    return sql + " SELECT (SELECT max(" + k + ") FROM w), (SELECT count(*) FROM w), " +
           "(SELECT count(*) FROM w WHERE hit)";
  }
  return sql + ", d AS (DELETE FROM " + t + " t USING w WHERE t.partner_id = $1 AND t." + k +
         " = w." + k + " AND w.hit RETURNING 1) SELECT (SELECT max(" + k +
         ") FROM w), (SELECT count(*) FROM w), (SELECT count(*) FROM d)";
}

}  // namespace

Result<ErasureCounts> PostgresStore::Erase(const ErasureRequest& request) {
  Result<std::vector<std::string>> values = ErasureMatchValues(request);
  if (!values.ok()) return values.status();
  const std::string_view column = ErasureSelectedColumn(request.selector);
  ErasureCounts counts;
  auto failed = [&](const Status& st) {
    return Status(st.code(), "erase stopped after " + std::to_string(counts.events) + " events, " +
                                 std::to_string(counts.conversions) + " conversions and " +
                                 std::to_string(counts.clicks) + " clicks: " + st.message());
  };
  // Walks one table; the cursor travels in its stored text form (max() of the key as stored).
  auto erase_from = [&](std::string_view table, std::string_view key, std::string_view key_type,
                        std::string_view match_column, uint64_t& count) -> Status {
    const std::string sql = StepSql(table, key, key_type, match_column, request.dry_run);
    std::optional<std::string> cursor;
    for (;;) {
      Result<PgResult> r = [&] {
        std::lock_guard lock(maintenance_mu_);
        return Run(maintenance_,
                   {sql,
                    {PgTextParam(request.partner_id), cursor, PgTextParam(values->front()),
                     PgTextParam(values->back()), std::to_string(request.batch_size)}});
      }();
      if (!r.ok()) return r.status();
      const uint64_t seen = static_cast<uint64_t>(r->Int64(0, 1));
      const uint64_t hits = static_cast<uint64_t>(r->Int64(0, 2));
      count += hits;
      if (seen < request.batch_size) return Status::Ok();
      cursor = std::string(r->Text(0, 0));
      if (hits > 0 && !request.dry_run && request.pause.count() > 0) {
        std::this_thread::sleep_for(request.pause);
      }
    }
  };
  Status st = erase_from("events", "id", "bigint", column, counts.events);
  if (st.ok()) st = erase_from("conversions", "id", "bigint", column, counts.conversions);
  if (st.ok() && request.selector == ErasureSelector::kIp) {
    st = erase_from("clicks", "click_id", "text", "client_ip", counts.clicks);
  }
  if (!st.ok()) return failed(st);
  return counts;
}

}  // namespace thrad
