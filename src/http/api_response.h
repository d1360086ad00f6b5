#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "model/records.h"
#include "model/write_op.h"

namespace thrad {

// A response as the API layer decides it, independent of the HTTP library. The session
// turns it into bytes on the wire (adding X-Request-Id, Content-Length, Connection).
struct ApiResponse {
  unsigned status = 200;
  std::string body;          // empty for 204
  std::string content_type;  // empty when there is no body
  std::vector<std::pair<std::string, std::string>> headers;
  // The authenticated key, for the access log (its partner and id); never sent.
  std::shared_ptr<const KeyRecord> key;
  // The partner, for the access log, of an answer without a key (a browser tag's); never sent.
  std::string partner_id;

  ApiResponse& AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// A write that must commit before the answer: the session submits `op` to the writer,
// awaits its completion, then calls `finish` on its own thread to build the response.
struct PendingWrite {
  std::unique_ptr<WriteOp> op;
  std::function<ApiResponse(const WriteOp&)> finish;
};

// A read of the store that can take milliseconds (a report, a page of raw conversions,
// diagnostics): the session runs `run` on the server's read thread and awaits its answer, so
// that no I/O thread, and none of the other connections it serves, waits for the store.
struct PendingRead {
  std::function<ApiResponse()> run;
};

// What a route handler decides: an answer now, a write to commit first, or a read to run off
// the I/O threads.
using Prepared = std::variant<ApiResponse, PendingWrite, PendingRead>;

}  // namespace thrad
