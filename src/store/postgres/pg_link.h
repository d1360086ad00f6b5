#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "store/postgres/pg_conn.h"

namespace thrad {

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
