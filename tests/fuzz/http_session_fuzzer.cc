// libFuzzer target: the HTTP session fed raw bytes. Each input is written as-is by a client
// into one loopback TCP connection served by the real RunSession coroutine (Beast request
// parser, limits, keep-alive and pipelining, ApiService, handlers, the group-commit writer and
// a real SQLite store on tmpfs), then the client half-closes and reads every answer until
// the server closes. No timeouts are involved: the client always ends its side, so each input
// costs well under a millisecond plus its writes.
//
// Fixtures every corpus file can use: the key "Bearer thr_fuzz_secret" (collect, conversion and
// clicks scopes) and the click "clk_fuzz" (with a bid id) of partner "p-fuzz"; "clk_nobid" has
// no bid id; the signing key "sk_fuzz" with the spec's test-vector secret (the bytes 0..31).
//
// Checks: no crash, ASan/UBSan clean, the session always ends (bounded by a deadline), and
// every answer the client receives starts with an HTTP/1.1 status line.
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "auth/api_key.h"
#include "auth/key_cache.h"
#include "auth/signing_key_ring.h"
#include "auth/tag_ring.h"
#include "common/clock.h"
#include "fuzz_check.h"
#include "http/api_service.h"
#include "http/metrics.h"
#include "http/server.h"
#include "http/session.h"
#include "store/group_commit_writer.h"
#include "store/sqlite/sqlite_store.h"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// The store's directory; removed at exit (the store files may still be open: that is fine).
std::string& TempDir() {
  static std::string dir;
  return dir;
}

void RemoveTempDir() {
  std::error_code ec;
  if (!TempDir().empty()) std::filesystem::remove_all(TempDir(), ec);
}

std::string MakeTempDir() {
  std::string base = "/dev/shm";  // commits fsync; tmpfs makes that free
  if (!std::filesystem::is_directory(base)) base = std::filesystem::temp_directory_path();
  std::string templ = base + "/thrad-fuzz-XXXXXX";
  FUZZ_CHECK(::mkdtemp(templ.data()) != nullptr);
  TempDir() = templ;
  std::atexit(RemoveTempDir);
  return templ;
}

struct Harness {
  Harness()
      : dir(MakeTempDir()),
        store(OpenStore(dir + "/fuzz.db")),
        keys(*store, clock, std::chrono::milliseconds(5000)),
        signing_keys(*store, clock),
        tags(*store, clock),
        writer(*store, thrad::GroupCommitOptions{}),
        service({.keys = keys,
                 .signing_keys = signing_keys,
                 .tags = tags,
                 .clicks = *store,
                 .reports = *store,
                 .writer = writer,
                 .metrics = metrics,
                 .clock = clock},
                thrad::ServiceConfig{}),
        acceptor(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    const int64_t now = clock.NowMicros();
    thrad::KeyRecord key;
    key.id = "key_00000000000f0220";
    key.digest = thrad::KeyDigest("thr_fuzz_secret");
    key.partner_id = "p-fuzz";
    key.label = "fuzz";
    key.scopes = thrad::kAllScopes | static_cast<uint32_t>(thrad::Scope::kClicks);
    key.created_at = now;
    FUZZ_CHECK(store->InsertKey(key).ok());
    auto click = [now](const char* id, std::optional<std::string> bid,
                       std::optional<std::string> campaign) {
      thrad::ClickRecord c;
      c.click_id = id;
      c.partner_id = "p-fuzz";
      c.bid_id = std::move(bid);
      c.campaign_id = std::move(campaign);
      c.created_at = now;
      return c;
    };
    FUZZ_CHECK(store->InsertClick(click("clk_fuzz", "bid-1", "camp-1")).ok());
    FUZZ_CHECK(store->InsertClick(click("clk_nobid", std::nullopt, std::nullopt)).ok());
    thrad::SigningKeyRecord signing;  // the spec's test-vector secret: the bytes 0..31
    signing.kid = "sk_fuzz";
    for (int i = 0; i < 32; ++i) signing.secret += static_cast<char>(i);
    signing.created_at = now;
    FUZZ_CHECK(store->InsertSigningKey(signing).ok());
    writer.Start();
    config.body_limit = 4096;  // small, so the fuzzer reaches the 413 paths
    config.header_limit = 2048;
    config.header_timeout = std::chrono::seconds(2);
    config.body_timeout = std::chrono::seconds(2);
    config.idle_timeout = std::chrono::seconds(2);
    config.write_timeout = std::chrono::seconds(2);
  }

  static std::unique_ptr<thrad::SqliteStore> OpenStore(const std::string& path) {
    auto opened = thrad::SqliteStore::Open(path);
    FUZZ_CHECK(opened.ok());
    std::unique_ptr<thrad::SqliteStore> s = std::move(opened).value();
    FUZZ_CHECK(s->Migrate().ok());
    return s;
  }

  std::string dir;
  thrad::SystemClock clock;
  std::unique_ptr<thrad::SqliteStore> store;
  thrad::Metrics metrics;
  thrad::KeyCache keys;
  thrad::SigningKeyRing signing_keys;
  thrad::TagRing tags;
  thrad::GroupCommitWriter writer;
  thrad::ApiService service;
  thrad::ServerConfig config;
  thrad::ConnectionRegistry registry;
  std::atomic<bool> draining{false};
  asio::io_context ctx{1};
  tcp::acceptor acceptor;
};

// Sends `input`, then half-closes: the server sees end of stream after the last byte.
asio::awaitable<void> SendAll(tcp::socket& client, std::string_view input) {
  co_await asio::async_write(client, asio::buffer(input.data(), input.size()), kUseTuple);
  boost::system::error_code ignored;
  client.shutdown(tcp::socket::shutdown_send, ignored);
}

// Reads every byte the server writes until it closes the connection.
asio::awaitable<void> ReadAll(tcp::socket& client, std::string& out) {
  char buf[8192];
  for (;;) {
    auto [ec, n] = co_await client.async_read_some(asio::buffer(buf), kUseTuple);
    out.append(buf, n);
    if (ec) co_return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* h = new Harness();  // lives for the process: the writer thread keeps running
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Connect and accept asynchronously: the reactor retries calls a signal interrupts
  // (libFuzzer's -timeout watchdog is a SIGALRM every second), where blocking calls fail.
  tcp::socket client(h->ctx);
  tcp::socket accepted(h->ctx);
  boost::system::error_code connect_ec, accept_ec;
  int opening = 2;
  client.async_connect(h->acceptor.local_endpoint(), [&](boost::system::error_code ec) {
    connect_ec = ec;
    --opening;
  });
  h->acceptor.async_accept(accepted, [&](boost::system::error_code ec) {
    accept_ec = ec;
    --opening;
  });
  h->ctx.restart();
  while (opening > 0) h->ctx.run_one();
  FUZZ_CHECK(!connect_ec && !accept_ec);
  auto conn = std::make_shared<thrad::Connection>(std::move(accepted));
  h->registry.Add(conn);

  int pending = 3;
  std::exception_ptr session_error;
  std::string answers;
  thrad::SessionEnv env{h->config, h->service, h->metrics, h->registry, h->draining, h->ctx};
  asio::co_spawn(h->ctx, thrad::RunSession(conn, env), [&](std::exception_ptr e) {
    session_error = e;
    --pending;
  });
  asio::co_spawn(h->ctx, SendAll(client, input), [&](std::exception_ptr) { --pending; });
  asio::co_spawn(h->ctx, ReadAll(client, answers), [&](std::exception_ptr) { --pending; });

  // The writer thread completes commits by posting to ctx, so keep it from running out of
  // work while a request waits for its commit.
  auto guard = asio::make_work_guard(h->ctx);
  h->ctx.restart();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (pending > 0) {
    h->ctx.run_one_for(std::chrono::milliseconds(100));
    FUZZ_CHECK(std::chrono::steady_clock::now() < deadline);  // a session that never ends
  }
  guard.reset();
  h->ctx.poll();
  h->registry.Remove(conn);
  if (session_error) std::rethrow_exception(session_error);  // uncaught: reported as a crash

  static const bool verbose = std::getenv("THRAD_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "--- answers ---\n%s\n", answers.c_str());
  FUZZ_CHECK(answers.empty() || answers.rfind("HTTP/1.1 ", 0) == 0);
  return 0;
}
