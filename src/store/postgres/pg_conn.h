#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/postgres/pg_query.h"
#include "store/postgres/pg_result.h"

struct pg_conn;

namespace thrad {

// One libpq connection (RAII over PGconn).
//
// Errors: a failed command returns a Status classified by its SQLSTATE (PgErrorStatus,
// pg_error.h); a lost connection is Unavailable. The SQLSTATE of the last failure is kept in
// last_sqlstate().
//
// Not thread-safe: the owner serializes every use.
class PgConn {
 public:
  // Connects to `url` (a postgresql:// URL or key=value string). Settings in the URL win over
  // the client defaults applied here (connect_timeout, TCP keepalives, tcp_user_timeout,
  // application_name). Unavailable when the server cannot be reached, InvalidArgument when the
  // URL is malformed. Messages never contain a password.
  static Result<std::unique_ptr<PgConn>> Connect(const std::string& url);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // One statement with parameters (extended protocol; one round trip).
  Result<PgResult> Exec(const PgQuery& query);
  Result<PgResult> Exec(std::string sql, std::vector<std::optional<std::string>> params = {}) {
    return Exec(PgQuery{std::move(sql), std::move(params)});
  }
  // One statement, prepared on this connection the first time its text is seen (a statement
  // of its own, named here) and then only bound and executed: no parse and no plan per call
  // for texts that repeat with other parameters (the reports', RollupStatement). At most
  // kMaxCachedStatements texts are kept; the oldest is deallocated to make room. A failed
  // execution forgets its text and deallocates its statement (a DDL may have changed what it
  // reads), so the next call prepares it again.
  Result<PgResult> ExecCached(const PgQuery& query);
  static constexpr size_t kMaxCachedStatements = 256;
  // One or more statements without parameters (simple protocol), e.g. a migration file.
  Status ExecScript(const std::string& sql);
  // Sends every query at once in pipeline mode and reads every result: one round trip for
  // the lot. The first failure is returned (later queries of the pipeline were skipped by the
  // server). A transaction opened by an explicit BEGIN in the pipeline stays open (or failed);
  // the caller commits or rolls back.
  Result<std::vector<PgResult>> Pipeline(std::span<const PgQuery> queries);

  // Runs `sql`, a `COPY ... FROM STDIN`, and sends it `data` (PgCopyData's stream): two round
  // trips. Outside a transaction block the COPY is a transaction of its own, committed (and,
  // with synchronous_commit on, flushed) before this returns. A failure (e.g. a unique
  // violation, SQLSTATE 23505) rolls all of it back.
  Result<PgResult> CopyIn(const std::string& sql, std::string_view data);

  // Runs `query` in single-row mode and calls `row` with each row's result (one row, index 0)
  // as it arrives, so a big result is never held in memory. Stops at the first failure of
  // `row` and returns it; the connection must then be discarded.
  Status Stream(const PgQuery& query, const std::function<Status(const PgResult&)>& row);

  // False once the connection is known to be unusable.
  bool Usable() const;
  // Reads whatever the server sent meanwhile without blocking; false when the server closed
  // the connection (e.g. it restarted), so the caller reconnects before using it.
  bool CheckAlive();
  // True when a transaction block is open or failed on this connection.
  bool InTransaction() const;

  const std::string& last_sqlstate() const { return last_sqlstate_; }

 private:
  explicit PgConn(pg_conn* conn) : conn_(conn) {}
  // The Status for a failed command (`res` may be null) and records its SQLSTATE.
  Status Failure(const pg_result* res, std::string_view what);
  // Drains and exits pipeline mode after an error; false when the connection is lost.
  void AbandonPipeline();

  pg_conn* conn_;
  std::unordered_set<std::string> prepared_;  // statement names prepared on this connection
  // ExecCached: statement name by text, and the texts oldest first.
  std::unordered_map<std::string, std::string> cached_;
  std::deque<std::string> cached_order_;
  uint64_t cached_serial_ = 0;
  std::string last_sqlstate_;
  bool broken_ = false;
};

}  // namespace thrad
