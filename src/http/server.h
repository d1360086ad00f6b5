#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/api_service.h"
#include "http/server_config.h"

namespace thrad {

// The HTTP/1.1 front: accepts on one listener, runs one coroutine per connection spread
// over `threads` single-threaded io_contexts, and drains gracefully on SIGTERM/SIGINT.
class Server {
 public:
  Server(ServerConfig config, ApiService& service);
  ~Server();

  // Binds and listens. After it, port() is the bound port.
  Status Listen();
  uint16_t port() const;

  // Serves until a signal or Stop(); returns once every connection is closed (or the
  // grace period ran out) and every I/O thread has stopped.
  void Run();

  // Begins a graceful shutdown, as SIGTERM does. Thread-safe.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace thrad
