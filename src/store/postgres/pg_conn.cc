#include "store/postgres/pg_conn.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <utility>

namespace thrad {
namespace {

// The first line of a libpq message, without "ERROR:  " noise and the trailing newline.
std::string FirstLine(const char* text) {
  std::string_view m = text ? text : "";
  m = m.substr(0, m.find('\n'));
  for (std::string_view prefix : {"ERROR:  ", "FATAL:  "}) {
    if (m.starts_with(prefix)) m.remove_prefix(prefix.size());
  }
  return std::string(m.empty() ? std::string_view("unknown error") : m);
}

Status Classify(std::string_view sqlstate, std::string message) {
  auto cls = sqlstate.substr(0, std::min<size_t>(2, sqlstate.size()));
  if (sqlstate.empty() || cls == "08" || cls == "53" || cls == "57" || cls == "40" || cls == "58" ||
      sqlstate == "55P03" || sqlstate == "55006") {
    return Status::Unavailable(std::move(message));
  }
  if (sqlstate == "23505") return Status::AlreadyExists(std::move(message));
  if (cls == "22" || cls == "23" || cls == "54") return Status::InvalidArgument(std::move(message));
  return Status::Internal(std::move(message));
}

void IgnoreNotice(void*, const char*) {}

// Parameter pointers for libpq (text format; lengths are not needed for text).
std::vector<const char*> Values(const PgQuery& q) {
  std::vector<const char*> values;
  values.reserve(q.params.size());
  for (const auto& p : q.params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

}  // namespace

// ---- Text with U+0000 --------------------------------------------------------------------

bool PgNeedsEscape(std::string_view text) {
  return text.find('\0') != std::string_view::npos || text.starts_with(kPgEscapeMarker);
}

std::string PgEncodeText(std::string_view text) {
  if (!PgNeedsEscape(text)) return std::string(text);
  std::string out(kPgEscapeMarker);
  out.reserve(out.size() + text.size() + 8);
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\0') {
      out += "\\0";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PgDecodeText(std::string_view stored) {
  if (!stored.starts_with(kPgEscapeMarker)) return std::string(stored);
  stored.remove_prefix(kPgEscapeMarker.size());
  std::string out;
  out.reserve(stored.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    if (stored[i] == '\\' && i + 1 < stored.size()) {
      ++i;
      out += stored[i] == '0' ? '\0' : stored[i];
    } else {
      out += stored[i];
    }
  }
  return out;
}

std::optional<std::string> PgTextParam(std::string_view text) { return PgEncodeText(text); }

std::optional<std::string> PgTextParam(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return PgEncodeText(*text);
}

// ---- PgResult ---------------------------------------------------------------------------

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

uint64_t PgResult::Affected() const {
  const char* n = res_ ? PQcmdTuples(res_) : "";
  return std::strtoull(n, nullptr, 10);
}

std::string_view PgResult::CommandTag() const { return res_ ? PQcmdStatus(res_) : ""; }

// ---- PgArray ----------------------------------------------------------------------------

void PgArray::Separator() {
  if (!empty_) text_ += ',';
  empty_ = false;
}

void PgArray::Add(std::string_view text) {
  if (PgNeedsEscape(text)) return AddStored(PgEncodeText(text));
  AddStored(text);
}

void PgArray::AddStored(std::string_view text) {
  Separator();
  text_ += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') text_ += '\\';
    text_ += c;
  }
  text_ += '"';
}

void PgArray::Add(const std::optional<std::string>& text) {
  if (text) {
    Add(std::string_view(*text));
  } else {
    AddNull();
  }
}

void PgArray::Add(int64_t value) {
  Separator();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  text_.append(buf, end);
}

void PgArray::Add(const std::optional<int64_t>& value) {
  if (value) {
    Add(*value);
  } else {
    AddNull();
  }
}

void PgArray::AddNull() {
  Separator();
  text_ += "NULL";
}

std::string PgArray::Finish() && {
  text_ += '}';
  return std::move(text_);
}

// ---- PgConn -----------------------------------------------------------------------------

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& url) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string m = parse_error ? FirstLine(parse_error) : "out of memory";
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
    std::string m = FirstLine(PQerrorMessage(conn));
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
  std::string message =
      std::string(what) + ": " + FirstLine(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
  if (PQstatus(conn_) != CONNECTION_OK) {
    broken_ = true;
    return Status::Unavailable(std::move(message));
  }
  return Classify(last_sqlstate_, std::move(message));
}

Result<PgResult> PgConn::Exec(const PgQuery& query) {
  std::vector<const char*> values = Values(query);
  PgResult res(PQexecParams(conn_, query.sql.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0));
  ExecStatusType st = res.raw() ? PQresultStatus(res.raw()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Failure(res.raw(), "PostgreSQL");
  return res;
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

bool IsRetryableSqlState(std::string_view sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";
}

// ---- PgLink -----------------------------------------------------------------------------

PgLink::PgLink(std::string url, std::string name, std::string setup)
    : url_(std::move(url)), name_(std::move(name)), setup_(std::move(setup)) {}

Status PgLink::Reconnect() {
  Result<std::unique_ptr<PgConn>> conn = PgConn::Connect(url_);
  if (!conn.ok()) return conn.status();
  if (!setup_.empty()) THRAD_RETURN_IF_ERROR((*conn)->ExecScript(setup_));
  conn_ = std::move(conn).value();
  return Status::Ok();
}

Result<PgConn*> PgLink::Get() {
  if (conn_ && !conn_->CheckAlive()) {
    spdlog::warn("PostgreSQL {} connection lost; reconnecting", name_);
    conn_.reset();
  }
  if (conn_) return conn_.get();
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    const auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - now).count();
    return Status::Unavailable(last_error_ + " (next " + name_ + " connection attempt in " +
                               std::to_string(wait) + " ms)");
  }
  Status st = Reconnect();
  if (!st.ok()) {
    last_error_ = st.message();
    backoff_ = backoff_.count() == 0 ? kMinBackoff : std::min(backoff_ * 2, kMaxBackoff);
    next_attempt_ = std::chrono::steady_clock::now() + backoff_;
    if (was_connected_) {
      spdlog::warn("PostgreSQL {} connection failed (retry in {} ms): {}", name_, backoff_.count(),
                   st.message());
    }
    return st;
  }
  if (was_connected_ && backoff_.count() != 0) {
    spdlog::info("PostgreSQL {} connection re-established", name_);
  }
  was_connected_ = true;
  backoff_ = std::chrono::milliseconds(0);
  return conn_.get();
}

void PgLink::AfterError() {
  if (!conn_) return;
  if (conn_->Usable() && conn_->InTransaction()) {
    if (!conn_->Exec("ROLLBACK").ok()) conn_.reset();
    return;
  }
  if (!conn_->Usable()) conn_.reset();
}

void PgLink::Drop() { conn_.reset(); }

}  // namespace thrad
