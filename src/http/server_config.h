#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "http/route_table.h"

namespace thrad {

// The HTTP front's limits and timeouts. Every default here is the one default of its
// `serve` option.
struct ServerConfig {
  std::string host = "127.0.0.1";  // loopback by default; production binds 0.0.0.0
  uint16_t port = 8690;            // 0 picks a free port (tests)
  int threads = 2;                 // I/O threads, one io_context each
  // Largest request body accepted; larger ones get 413 and are never buffered.
  uint64_t body_limit = 64 * 1024;
  // The same for POST /v1/api/collect/batch (up to kMaxBatchEvents events): 1 MiB.
  uint64_t batch_body_limit = 1024 * 1024;
  // Largest request line + headers; larger ones get 431 (keeps per-connection memory small).
  uint32_t header_limit = 16 * 1024;
  // Most header fields in one request; more get 431. Each field costs a node in memory even
  // when tiny ("a:"), so the byte limit alone would allow thousands.
  uint32_t max_header_fields = 100;
  // Time for a request's headers to arrive once its first byte did (slowloris guard).
  std::chrono::milliseconds header_timeout{10'000};
  // Time for a request's body to arrive once its headers did.
  std::chrono::milliseconds body_timeout{30'000};
  // A keep-alive connection with no request for this long is closed.
  std::chrono::milliseconds idle_timeout{60'000};
  // Time to write a response before the connection is dropped (stalled readers).
  std::chrono::milliseconds write_timeout{30'000};
  // Open client connections beyond this are answered 503 and closed at once.
  int64_t max_connections = 10'000;
  // On SIGTERM/SIGINT, in-flight requests get this long to finish.
  std::chrono::milliseconds shutdown_grace{10'000};

  // Answering before the whole request was read (413, 431, 400 on framing), the server
  // stops writing, then reads and discards what the client still sends, for at most this
  // long and this many bytes, before it closes (RFC 9112 section 9.6; nginx's
  // lingering_close): closing with unread input resets the connection, and the reset can
  // destroy the answer before the client reads it.
  std::chrono::milliseconds linger_timeout{2'000};
  uint64_t linger_bytes = 1024 * 1024;

  // Called on SIGHUP, on the first I/O thread (serve reloads the --geoip-db file). Unset:
  // SIGHUP keeps its default action.
  std::function<void()> on_hangup;

  // The body limit of a route's class.
  uint64_t BodyLimit(BodyLimitClass c) const {
    return c == BodyLimitClass::kBatch ? batch_body_limit : body_limit;
  }
};

}  // namespace thrad
