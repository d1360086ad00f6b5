#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/status.h"

struct pg_conn;
struct pg_result;

namespace thrad {

// PostgreSQL text cannot hold U+0000, which JSON strings may carry ("\u0000") and SQLite stores.
// So a string that contains NUL, or that starts with kPgEscapeMarker, is stored as the marker
// followed by the string with '\' doubled and NUL written as "\0"; every other string is
// stored as it is. The mapping is one-to-one, so unique constraints and equality look-ups keep
// their meaning; PgDecodeText undoes it. (Only hostile input ever takes the escaped form.)
inline constexpr std::string_view kPgEscapeMarker =
    "\x1A"
    "thrad-escaped:";
bool PgNeedsEscape(std::string_view text);
std::string PgEncodeText(std::string_view text);  // the stored form
std::string PgDecodeText(std::string_view stored);
// Text parameter for a single value, in its stored form.
std::optional<std::string> PgTextParam(std::string_view text);
inline std::optional<std::string> PgTextParam(const std::string& text) {
  return PgTextParam(std::string_view(text));
}
std::optional<std::string> PgTextParam(const std::optional<std::string>& text);

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
  // Rows affected by an INSERT/UPDATE/DELETE (PQcmdTuples).
  uint64_t Affected() const;
  // The command tag, e.g. "COMMIT" (a COMMIT of a failed transaction answers "ROLLBACK").
  std::string_view CommandTag() const;
  pg_result* raw() const { return res_; }

 private:
  pg_result* res_ = nullptr;
};

// One statement with text-format parameters ($1, $2, ...); nullopt binds NULL.
// With a `name`, Pipeline prepares the statement once per connection (the first time it is
// sent) and then only binds and executes it: no parse and plan per batch.
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
  void AddNull();
  void Reserve(size_t bytes) { text_.reserve(bytes); }
  std::string Finish() &&;

 private:
  void Separator();
  void AddStored(std::string_view text);
  std::string text_;
  bool empty_ = true;
};

// One libpq connection (RAII over PGconn).
//
// Errors: a failed command returns a Status classified by SQLSTATE: connection failures,
// server shutdown/startup (57P0x), resource exhaustion (53xxx), serialization failures and
// deadlocks (40001, 40P01), lock and statement timeouts -> Unavailable; unique violations ->
// AlreadyExists; data errors (classes 22, 23, 54) -> InvalidArgument; anything else ->
// Internal. The SQLSTATE of the last failure is kept in last_sqlstate().
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
  std::string last_sqlstate_;
  bool broken_ = false;
};

// True for SQLSTATEs after which the same transaction may well succeed when run again:
// serialization failure (40001) and deadlock (40P01).
bool IsRetryableSqlState(std::string_view sqlstate);

// A connection that is opened on demand and reopened after failures, with exponential backoff
// between attempts (so a database outage costs one cheap attempt per backoff step, not one per
// request). `setup` (may be empty) runs after each connect, e.g. session settings.
//
// Not thread-safe: the owner serializes every use (one mutex per link).
class PgLink {
 public:
  // Backoff between failed connection attempts: starts at kMinBackoff, doubles up to
  // kMaxBackoff, so a restarted database is found again within ~2 s.
  static constexpr std::chrono::milliseconds kMinBackoff{100};
  static constexpr std::chrono::milliseconds kMaxBackoff{2000};

  PgLink(std::string url, std::string name, std::string setup = {});

  // The open connection, (re)connecting first when needed. Unavailable while backing off after
  // a failed attempt or when connecting fails.
  Result<PgConn*> Get();
  // Call after a command on the connection failed: rolls back a transaction left open, and drops
  // the connection when it is broken (the next Get reconnects).
  void AfterError();
  void Drop();

 private:
  Status Reconnect();

  const std::string url_;
  const std::string name_;
  const std::string setup_;
  std::unique_ptr<PgConn> conn_;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
  std::string last_error_;  // why the last attempt failed
  bool was_connected_ = false;
};

}  // namespace thrad
