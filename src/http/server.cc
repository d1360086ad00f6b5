#include "http/server.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>
#include <vector>

#include "http/session.h"

namespace thrad {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Server::Impl {
  Impl(ServerConfig c, ApiService& s) : config(std::move(c)), service(s) {
    const int n = config.threads < 1 ? 1 : config.threads;
    for (int i = 0; i < n; ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
      guards.emplace_back(asio::make_work_guard(*contexts.back()));
    }
    acceptor = std::make_unique<tcp::acceptor>(*contexts[0]);
  }

  asio::awaitable<void> Accept();
  asio::awaitable<void> Drain();
  void BeginShutdown();

  ServerConfig config;
  ApiService& service;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  // The read thread's context: what handlers hand over as PendingRead (reports, pages of
  // conversions, diagnostics, click look-ups) runs there, one at a time, never on an I/O thread.
  // One thread: the reports' reads take one store connection in turn anyway, and a second
  // thread made the same report loop cost 1.1-1.6x the CPU (each call on another core's cache;
  // docs/benchmarks.md, session 12).
  asio::io_context reads{1};
  std::unique_ptr<tcp::acceptor> acceptor;
  ConnectionRegistry registry;
  std::atomic<bool> draining{false};
  std::atomic<bool> shutdown_started{false};
  size_t next_context = 0;
};

asio::awaitable<void> Server::Impl::Accept() {
  Metrics& metrics = service.metrics();
  for (;;) {
    asio::io_context& target = *contexts[next_context];
    next_context = (next_context + 1) % contexts.size();
    auto [ec, socket] =
        co_await acceptor->async_accept(target, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (!acceptor->is_open() || draining.load()) co_return;
      // EMFILE and friends: back off briefly instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer t(*contexts[0], std::chrono::milliseconds(50));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (metrics.open_connections.load(std::memory_order_relaxed) >= config.max_connections) {
      metrics.refused_connections.fetch_add(1, std::memory_order_relaxed);
      asio::co_spawn(target, RefuseConnection(std::move(socket)), asio::detached);
      continue;
    }
    metrics.open_connections.fetch_add(1, std::memory_order_relaxed);
    auto conn = std::make_shared<Connection>(std::move(socket));
    registry.Add(conn);
    SessionEnv env{config, service, metrics, registry, draining, reads};
    asio::co_spawn(target, RunSession(conn, env), [this, conn, &metrics](std::exception_ptr e) {
      registry.Remove(conn);
      metrics.open_connections.fetch_sub(1, std::memory_order_relaxed);
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("session ended by exception: {}", ex.what());
        }
      }
    });
  }
}

void Server::Impl::BeginShutdown() {
  if (shutdown_started.exchange(true)) return;
  asio::post(*contexts[0], [this] {
    spdlog::info("shutting down: no new connections, finishing in-flight requests");
    draining.store(true);
    boost::system::error_code ignored;
    acceptor->close(ignored);
    registry.CloseIdle();
    asio::co_spawn(*contexts[0], Drain(), asio::detached);
  });
}

asio::awaitable<void> Server::Impl::Drain() {
  const auto deadline = std::chrono::steady_clock::now() + config.shutdown_grace;
  Metrics& metrics = service.metrics();
  asio::steady_timer timer(*contexts[0]);
  while (metrics.open_connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    registry.CloseIdle();
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (metrics.open_connections.load() > 0) {
    spdlog::warn("shutdown grace period over with {} connections open",
                 metrics.open_connections.load());
  }
  for (auto& g : guards) g.reset();
  for (auto& c : contexts) c->stop();
}

Server::Server(ServerConfig config, ApiService& service)
    : impl_(std::make_unique<Impl>(std::move(config), service)) {}

Server::~Server() = default;

Status Server::Listen() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(impl_->config.host, ec);
  if (ec) return Status::InvalidArgument("bad listen address '" + impl_->config.host + "'");
  tcp::endpoint endpoint(address, impl_->config.port);
  tcp::acceptor& a = *impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on " + impl_->config.host + ":" +
                           std::to_string(impl_->config.port) + ": " + ec.message());
  }
  return Status::Ok();
}

uint16_t Server::port() const {
  boost::system::error_code ec;
  auto ep = impl_->acceptor->local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::Stop() { impl_->BeginShutdown(); }

namespace {

// Runs `hook` on every SIGHUP until `signals` is cancelled.
void WaitForHangup(asio::signal_set& signals, const std::function<void()>& hook) {
  signals.async_wait([&signals, &hook](const boost::system::error_code& ec, int) {
    if (ec) return;
    spdlog::info("received SIGHUP");
    hook();
    WaitForHangup(signals, hook);
  });
}

}  // namespace

void Server::Run() {
  asio::signal_set signals(*impl_->contexts[0], SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("received signal {}", signo);
    impl_->BeginShutdown();
  });
  // SIGHUP: the config's reload hook, for as long as the server runs.
  asio::signal_set hangups(*impl_->contexts[0]);
  if (impl_->config.on_hangup) {
    hangups.add(SIGHUP);
    WaitForHangup(hangups, impl_->config.on_hangup);
  }
  asio::co_spawn(*impl_->contexts[0], impl_->Accept(), asio::detached);

  // The read thread runs until the I/O threads are done: a session awaiting a read is an open
  // connection, which the shutdown's drain waits for.
  auto read_guard = asio::make_work_guard(impl_->reads);
  std::thread reader([ctx = &impl_->reads] {
    pthread_setname_np(pthread_self(), "thrad-reads");
    ctx->run();
  });
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl_->contexts.size(); ++i) {
    threads.emplace_back([ctx = impl_->contexts[i].get(), i] {
      const std::string name = "thrad-io-" + std::to_string(i);  // for top -H, perf, /proc
      pthread_setname_np(pthread_self(), name.c_str());
      ctx->run();
    });
  }
  impl_->contexts[0]->run();
  for (auto& t : threads) t.join();
  read_guard.reset();
  impl_->reads.stop();  // a read still running finishes; its answer has no connection left
  reader.join();
  boost::system::error_code ignored;
  signals.cancel(ignored);
  hangups.cancel(ignored);
}

}  // namespace thrad
