#include "store/postgres/pg_conn.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <utility>

#include "store/postgres/pg_error.h"

namespace thrad {
namespace {

void IgnoreNotice(void*, const char*) {}

// Parameter pointers for libpq (text format; lengths are not needed for text).
std::vector<const char*> Values(const PgQuery& q) {
  std::vector<const char*> values;
  values.reserve(q.params.size());
  for (const auto& p : q.params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

}  // namespace

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& url) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string m = parse_error ? PgFirstLine(parse_error) : "out of memory";
    if (parse_error) PQfreemem(parse_error);
    return Status::InvalidArgument("invalid database URL: " + m);
  }
  PQconninfoFree(parsed);

  // Defaults first, then the URL (its settings win), then what the store relies on.
  const char* keys[] = {"connect_timeout",  "keepalives",
                        "keepalives_idle",  "keepalives_interval",
                        "keepalives_count", "tcp_user_timeout",
                        "application_name", "dbname",
                        "client_encoding",  nullptr};
  const char* values[] = {"5",         "1",    "10",   "5", "3", "15000", "thrad-events",
                          url.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Unavailable("PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string m = PgFirstLine(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable("cannot connect to PostgreSQL: " + m);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::unique_ptr<PgConn>(new PgConn(conn));
}

PgConn::~PgConn() { PQfinish(conn_); }

Status PgConn::Failure(const pg_result* res, std::string_view what) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state ? state : "";
  std::string message = std::string(what) + ": " +
                        PgFirstLine(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
  if (PQstatus(conn_) != CONNECTION_OK) {
    broken_ = true;
    return Status::Unavailable(std::move(message));
  }
  return PgErrorStatus(last_sqlstate_, std::move(message));
}

Result<PgResult> PgConn::Exec(const PgQuery& query) {
  std::vector<const char*> values = Values(query);
  PgResult res(PQexecParams(conn_, query.sql.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0));
  ExecStatusType st = res.raw() ? PQresultStatus(res.raw()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Failure(res.raw(), "PostgreSQL");
  return res;
}

Result<PgResult> PgConn::ExecCached(const PgQuery& query) {
  auto ok = [](const PgResult& res, ExecStatusType want) {
    return res.raw() != nullptr && PQresultStatus(res.raw()) == want;
  };
  auto it = cached_.find(query.sql);
  if (it == cached_.end()) {
    if (cached_.size() >= kMaxCachedStatements) {
      auto oldest = cached_.find(cached_order_.front());
      cached_order_.pop_front();
      const std::string name = std::move(oldest->second);
      cached_.erase(oldest);
      PgResult res(PQexec(conn_, ("DEALLOCATE " + name).c_str()));
      if (!ok(res, PGRES_COMMAND_OK)) return Failure(res.raw(), "PostgreSQL");
    }
    std::string name = "thrad_cached_" + std::to_string(++cached_serial_);
    PgResult res(PQprepare(conn_, name.c_str(), query.sql.c_str(),
                           static_cast<int>(query.params.size()), nullptr));
    if (!ok(res, PGRES_COMMAND_OK)) return Failure(res.raw(), "PostgreSQL");
    it = cached_.emplace(query.sql, std::move(name)).first;
    cached_order_.push_back(query.sql);
  }
  std::vector<const char*> values = Values(query);
  PgResult res(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()),
                              values.data(), nullptr, nullptr, 0));
  if (ok(res, PGRES_TUPLES_OK) || ok(res, PGRES_COMMAND_OK)) return res;
  Status st = Failure(res.raw(), "PostgreSQL");
  // Forgotten here and on the server (best effort: a lost connection took it with it).
  if (PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE) {
    PgResult(PQexec(conn_, ("DEALLOCATE " + it->second).c_str()));
  }
  std::erase(cached_order_, query.sql);
  cached_.erase(it);
  return st;
}

Status PgConn::ExecScript(const std::string& sql) {
  // PQexec returns the last statement's result; an error stops the script there.
  PgResult res(PQexec(conn_, sql.c_str()));
  ExecStatusType st = res.raw() ? PQresultStatus(res.raw()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Failure(res.raw(), "PostgreSQL");
  return Status::Ok();
}

void PgConn::AbandonPipeline() {
  // Whatever state the pipeline is in, this connection is not worth untangling: a new one is
  // cheap and certainly clean.
  broken_ = true;
}

Result<std::vector<PgResult>> PgConn::Pipeline(std::span<const PgQuery> queries) {
  if (broken_) return Status::Unavailable("PostgreSQL connection is broken");
  if (PQenterPipelineMode(conn_) != 1) return Failure(nullptr, "PostgreSQL pipeline");
  // What the server answers, in order: a statement's preparation (first use on this
  // connection) or a query's result.
  std::vector<const PgQuery*> prepares;  // per answer: the query prepared, or null
  prepares.reserve(queries.size() * 2);
  auto lost = [this](std::string_view what) {
    Status st = Failure(nullptr, what);
    AbandonPipeline();
    return Status::Unavailable(st.message());
  };
  for (const PgQuery& q : queries) {
    std::vector<const char*> values = Values(q);
    const int n = static_cast<int>(values.size());
    int sent;
    if (q.name.empty()) {
      sent =
          PQsendQueryParams(conn_, q.sql.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0);
    } else {
      if (!prepared_.contains(q.name)) {
        if (PQsendPrepare(conn_, q.name.c_str(), q.sql.c_str(), n, nullptr) != 1) {
          return lost("PostgreSQL send");
        }
        prepares.push_back(&q);
      }
      sent = PQsendQueryPrepared(conn_, q.name.c_str(), n, values.data(), nullptr, nullptr, 0);
    }
    if (sent != 1) return lost("PostgreSQL send");
    prepares.push_back(nullptr);
  }
  if (PQpipelineSync(conn_) != 1) return lost("PostgreSQL send");

  std::vector<PgResult> results;
  results.reserve(queries.size());
  Status first_error;
  for (const PgQuery* prepared : prepares) {
    PgResult res(PQgetResult(conn_));
    if (res.raw() == nullptr) return lost("PostgreSQL pipeline");
    ExecStatusType st = PQresultStatus(res.raw());
    if (st == PGRES_PIPELINE_ABORTED) {
      if (first_error.ok()) first_error = Status::Internal("PostgreSQL pipeline aborted");
    } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      if (first_error.ok()) first_error = Failure(res.raw(), "PostgreSQL");
      if (PQstatus(conn_) != CONNECTION_OK) {
        AbandonPipeline();
        return first_error;
      }
    } else if (prepared != nullptr) {
      prepared_.insert(prepared->name);
    }
    if (prepared == nullptr) results.push_back(std::move(res));
    PGresult* end = PQgetResult(conn_);  // NULL ends each answer
    if (end != nullptr) {
      PQclear(end);
      AbandonPipeline();
      return first_error.ok() ? Status::Internal("PostgreSQL pipeline: unexpected result")
                              : first_error;
    }
  }
  PgResult sync(PQgetResult(conn_));
  if (sync.raw() == nullptr || PQresultStatus(sync.raw()) != PGRES_PIPELINE_SYNC ||
      PQexitPipelineMode(conn_) != 1) {
    Status st = first_error.ok() ? Failure(sync.raw(), "PostgreSQL pipeline sync") : first_error;
    AbandonPipeline();
    return Status::Unavailable(st.message());
  }
  if (!first_error.ok()) return first_error;
  return results;
}

Result<PgResult> PgConn::CopyIn(const std::string& sql, std::string_view data) {
  if (broken_) return Status::Unavailable("PostgreSQL connection is broken");
  PgResult start(PQexec(conn_, sql.c_str()));
  if (start.raw() == nullptr || PQresultStatus(start.raw()) != PGRES_COPY_IN) {
    return Failure(start.raw(), "PostgreSQL");
  }
  constexpr size_t kChunk = size_t{1} << 20;
  bool sent = true;
  for (size_t at = 0; sent && at < data.size(); at += kChunk) {
    const size_t n = std::min(kChunk, data.size() - at);
    sent = PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) == 1;
  }
  if (!sent || PQputCopyEnd(conn_, nullptr) != 1) {
    Status st = Failure(nullptr, "PostgreSQL COPY");
    broken_ = true;  // mid-COPY: the connection is not worth untangling
    return Status::Unavailable(st.message());
  }
  PgResult res(PQgetResult(conn_));
  bool extra = false;
  while (PGresult* more = PQgetResult(conn_)) {  // NULL ends the answer
    PQclear(more);
    extra = true;
  }
  if (res.raw() == nullptr || PQresultStatus(res.raw()) != PGRES_COMMAND_OK) {
    return Failure(res.raw(), "PostgreSQL");
  }
  if (extra) {
    broken_ = true;
    return Status::Internal("PostgreSQL COPY: unexpected result");
  }
  return res;
}

Status PgConn::Stream(const PgQuery& query, const std::function<Status(const PgResult&)>& row) {
  std::vector<const char*> values = Values(query);
  if (PQsendQueryParams(conn_, query.sql.c_str(), static_cast<int>(values.size()), nullptr,
                        values.data(), nullptr, nullptr, 0) != 1) {
    return Failure(nullptr, "PostgreSQL");
  }
  if (PQsetSingleRowMode(conn_) != 1) {
    broken_ = true;
    return Status::Internal("PostgreSQL: cannot enter single-row mode");
  }
  Status st;
  while (true) {
    PgResult res(PQgetResult(conn_));
    if (res.raw() == nullptr) break;
    if (!st.ok()) continue;  // drain after a failure
    switch (PQresultStatus(res.raw())) {
      case PGRES_SINGLE_TUPLE:
        st = row(res);
        if (!st.ok()) {
          broken_ = true;  // the rest of the result is not wanted: the connection is dropped
          return st;
        }
        break;
      case PGRES_TUPLES_OK:
      case PGRES_COMMAND_OK:
        break;
      default:
        st = Failure(res.raw(), "PostgreSQL");
        if (!Usable()) return st;
    }
  }
  return st;
}

bool PgConn::Usable() const { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }

bool PgConn::CheckAlive() {
  if (!Usable()) return false;
  // Non-blocking reads while the socket has something: a server that terminates the session
  // (restart, pg_terminate_backend) sends an error and then EOF, which marks the connection bad.
  for (int i = 0; i < 4; ++i) {
    pollfd p{PQsocket(conn_), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
    if (PQconsumeInput(conn_) != 1 || PQstatus(conn_) != CONNECTION_OK) {
      broken_ = true;
      return false;
    }
    (void)PQisBusy(conn_);  // parses what arrived (an idle-time error goes to the notice hook)
    while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);
  }
  return true;
}

bool PgConn::InTransaction() const {
  PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

}  // namespace thrad
