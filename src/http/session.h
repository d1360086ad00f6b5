#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "http/api_service.h"
#include "http/server_config.h"

namespace thrad {

// One client connection's state shared with the server for shutdown. `stream` and `idle`
// are touched only on the connection's own io_context thread.
struct Connection {
  explicit Connection(boost::asio::ip::tcp::socket socket) : stream(std::move(socket)) {}
  boost::beast::tcp_stream stream;
  bool idle = true;  // waiting for the next request, safe to close on shutdown
};

// Open connections, so a shutdown can close the idle ones. Thread-safe.
class ConnectionRegistry {
 public:
  void Add(const std::shared_ptr<Connection>& c);
  void Remove(const std::shared_ptr<Connection>& c);
  // Posts a close of every idle connection to its own executor.
  void CloseIdle();

 private:
  std::mutex mu_;
  std::unordered_set<std::shared_ptr<Connection>> open_;
};

struct SessionEnv {
  const ServerConfig& config;
  ApiService& service;
  Metrics& metrics;
  ConnectionRegistry& registry;
  const std::atomic<bool>& draining;  // set on shutdown: finish the current request, close
  boost::asio::io_context& reads;     // runs PendingReads (the server's read thread)
};

// Serves one connection until it closes: keep-alive, pipelining, timeouts, body limit.
boost::asio::awaitable<void> RunSession(std::shared_ptr<Connection> conn, SessionEnv env);

// Answers 503 and closes: for connections beyond ServerConfig::max_connections.
boost::asio::awaitable<void> RefuseConnection(boost::asio::ip::tcp::socket socket);

}  // namespace thrad
