#include "store/postgres/pg_link.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace thrad {

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
