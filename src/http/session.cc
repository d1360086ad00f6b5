#include "http/session.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "http/access_log.h"
#include "http/request_id.h"
#include "http/wire.h"

namespace thrad {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

void ConnectionRegistryCloseOne(const std::shared_ptr<Connection>& c) {
  asio::post(c->stream.get_executor(), [c] {
    if (c->idle) {
      beast::error_code ignored;
      c->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      c->stream.cancel();
    }
  });
}

// A request the HTTP parser rejected (as opposed to a peer that went away mid-request).
bool IsMalformed(const beast::error_code& ec) {
  static const auto& kHttpCategory = make_error_code(http::error::end_of_stream).category();
  return ec.category() == kHttpCategory && ec != http::error::end_of_stream &&
         ec != http::error::partial_message;
}

// What Beast accepts but this server refuses (RFC 9112 sections 5, 6.1 and 6.3). 431: more
// than max_header_fields fields, or more header bytes than header_limit (Beast enforces its
// limit only approximately). 400: a Transfer-Encoding other than exactly "chunked", or one
// with a Content-Length or on HTTP/1.0, since a proxy in front may frame such a request
// differently from us (request smuggling).
std::optional<ApiErrorKind> CheckHeaderSection(
    const http::request_parser<http::string_body>& parser, size_t header_bytes,
    const ServerConfig& cfg) {
  const auto& req = parser.get();
  if (header_bytes > cfg.header_limit) return ApiErrorKind::kHeadersTooLarge;
  size_t fields = 0;
  for (auto it = req.begin(); it != req.end(); ++it) {
    if (++fields > cfg.max_header_fields) return ApiErrorKind::kHeadersTooLarge;
  }
  const size_t codings = req.count(http::field::transfer_encoding);
  if (codings == 0) return std::nullopt;
  const bool plain_chunked = codings == 1 && parser.chunked() &&
                             beast::iequals(req[http::field::transfer_encoding], "chunked");
  if (!plain_chunked || req.version() < 11 || req.count(http::field::content_length) > 0) {
    return ApiErrorKind::kBadRequest;
  }
  return std::nullopt;
}

Method ToMethod(http::verb v) {
  switch (v) {
    case http::verb::get:
      return Method::kGet;
    case http::verb::head:
      return Method::kHead;
    case http::verb::post:
      return Method::kPost;
    default:
      return Method::kOther;
  }
}

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    default:
      return "OTHER";
  }
}

std::optional<std::string_view> Header(const http::request<http::string_body>& req, http::field f) {
  auto it = req.find(f);
  if (it == req.end()) return std::nullopt;
  return it->value();
}

std::optional<std::string_view> Header(const http::request<http::string_body>& req,
                                       std::string_view name) {
  auto it = req.find(name);
  if (it == req.end()) return std::nullopt;
  return it->value();
}

// Suspends until the writer committed (or refused) `op`; resumes on this coroutine's
// executor. op.status tells which.
asio::awaitable<void> AwaitCommit(GroupCommitWriter& writer, WriteOp& op) {
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&writer, &op](auto handler) {
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        op.on_done = [h, ex]() { asio::post(ex, std::move(*h)); };
        Status submitted = writer.Submit(&op);
        if (!submitted.ok()) {
          op.status = std::move(submitted);
          op.on_done = nullptr;
          asio::post(ex, std::move(*h));
        }
      },
      asio::use_awaitable);
}

}  // namespace

void ConnectionRegistry::Add(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(mu_);
  open_.insert(c);
}

void ConnectionRegistry::Remove(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(mu_);
  open_.erase(c);
}

void ConnectionRegistry::CloseIdle() {
  std::lock_guard lock(mu_);
  for (const auto& c : open_) ConnectionRegistryCloseOne(c);
}

asio::awaitable<void> RefuseConnection(tcp::socket socket) {
  // The same error body and headers as every other 503, request id included.
  const std::string request_id = ResolveRequestId(std::nullopt);
  std::string wire;
  AppendResponse(MakeErrorResponse(ApiErrorKind::kUnavailable, request_id), request_id,
                 /*keep_alive=*/false, /*head_only=*/false, wire);
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(std::chrono::seconds(2));
  auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(wire), kUseTuple);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  // Read and drop what the client sent until it closes too (at most 64 KiB for 500 ms):
  // closing with unread input would reset the connection, and a reset can destroy the answer
  // before the client reads it.
  stream.expires_after(std::chrono::milliseconds(500));
  char sink[4096];
  for (size_t drained = 0; !wec && drained < 64 * 1024;) {
    auto [rec, n] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
    if (rec) break;
    drained += n;
  }
}

asio::awaitable<void> RunSession(std::shared_ptr<Connection> conn, SessionEnv env) {
  const ServerConfig& cfg = env.config;
  beast::tcp_stream& stream = conn->stream;
  beast::flat_buffer buffer;
  beast::error_code ec;
  std::string peer_ip;
  {
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) peer_ip = ep.address().to_string();
  }

  // The bytes of the current response; reused, so a connection allocates it once.
  std::string wire;
  // The current request's method and body size, for the access log.
  Method log_method = Method::kOther;
  uint64_t log_bytes_in = 0;

  // Writes `api` and reports whether the connection may serve another request.
  auto respond = [&](ApiResponse api, const std::string& request_id, bool keep_alive,
                     bool head_only, size_t route,
                     std::chrono::steady_clock::time_point started) -> asio::awaitable<bool> {
    keep_alive = keep_alive && !env.draining.load(std::memory_order_relaxed);
    const unsigned status = api.status;
    const std::shared_ptr<const KeyRecord> key = std::move(api.key);
    const uint64_t bytes_out = api.body.size();
    wire.clear();
    AppendResponse(api, request_id, keep_alive, head_only, wire);
    stream.expires_after(cfg.write_timeout);
    auto [wec, n] = co_await asio::async_write(stream, asio::buffer(wire), kUseTuple);
    if (wire.capacity() > 64 * 1024) std::string().swap(wire);  // after a large answer
    const auto elapsed = std::chrono::steady_clock::now() - started;
    env.metrics.ObserveRequest(route, status, elapsed);
    if (AccessLog* log = env.service.access_log()) {
      log->Write({.request_id = request_id,
                  .method = MethodName(log_method),
                  .route = Metrics::kRouteNames[std::min(route, Metrics::kUnknownRoute)],
                  .status = status,
                  .duration = elapsed,
                  .partner_id = key ? std::string_view(key->partner_id) : std::string_view(),
                  .key_id = key ? std::string_view(key->id) : std::string_view(),
                  .peer_ip = peer_ip,
                  .bytes_in = log_bytes_in,
                  .bytes_out = bytes_out});
    }
    co_return !wec && keep_alive;
  };

  for (;;) {
    // Idle: wait for the first byte of the next request (unless pipelined bytes wait).
    if (buffer.size() == 0) {
      if (env.draining.load(std::memory_order_relaxed)) break;
      conn->idle = true;
      stream.expires_after(cfg.idle_timeout);
      auto [rec, n] = co_await stream.async_read_some(buffer.prepare(4096), kUseTuple);
      conn->idle = false;
      if (rec) break;
      buffer.commit(n);
    }
    conn->idle = false;
    const auto started = std::chrono::steady_clock::now();
    log_method = Method::kOther;
    log_bytes_in = 0;

    http::request_parser<http::string_body> parser;
    parser.header_limit(cfg.header_limit);
    // No body limit while reading headers: an oversized Content-Length must reach
    // CheckHead (which answers 413 in the spec's order) instead of failing the read.
    parser.body_limit(boost::none);
    stream.expires_after(cfg.header_timeout);
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, kUseTuple);
    if (hec) {
      std::optional<ApiErrorKind> answer;
      if (hec == http::error::header_limit) {
        answer = ApiErrorKind::kHeadersTooLarge;
      } else if (hec == beast::error::timeout) {
        answer = ApiErrorKind::kRequestTimeout;
      } else if (IsMalformed(hec)) {
        answer = ApiErrorKind::kBadRequest;
      }
      if (answer) {
        const std::string rid = ResolveRequestId(std::nullopt);
        co_await respond(MakeErrorResponse({*answer}, rid), rid, false, false,
                         Metrics::kUnknownRoute, started);
      }
      break;
    }

    auto& req = parser.get();
    const std::string request_id = ResolveRequestId(Header(req, "X-Request-Id"));
    const Method method = ToMethod(req.method());
    log_method = method;
    const Target target = ParseTarget(req.target());
    const std::optional<RouteInfo> route = ResolveRoute(target.path);
    const size_t route_index = route ? Metrics::RouteIndex(route->name) : Metrics::kUnknownRoute;
    const bool head_only = method == Method::kHead;
    if (auto bad = CheckHeaderSection(parser, hn, cfg)) {
      co_await respond(MakeErrorResponse({*bad}, request_id), request_id, false, head_only,
                       route_index, started);
      break;
    }
    const bool expects_continue = [&] {
      auto e = Header(req, http::field::expect);
      return e && beast::iequals(*e, "100-continue");
    }();

    std::optional<uint64_t> content_length;
    if (parser.content_length()) content_length = *parser.content_length();
    const uint64_t body_limit = cfg.BodyLimit(route);
    if (auto early = env.service.CheckHead(route, method, content_length, body_limit)) {
      // Keep the connection only when the (small, announced) body can be skipped cleanly.
      bool keep = req.keep_alive() && early->kind != ApiErrorKind::kBodyTooLarge;
      if (keep && !parser.is_done()) {
        // Never read an announced body past the limit: the parser checked Content-Length
        // against no limit, and its string body would reserve all of it (a 404 with
        // "Content-Length: 2049638230412172400" aborted the server; found by fuzzing).
        if (expects_continue || !parser.content_length() || *parser.content_length() > body_limit) {
          keep = false;
        } else {
          parser.body_limit(body_limit);
          stream.expires_after(cfg.body_timeout);
          auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kUseTuple);
          keep = !bec;
        }
      }
      if (!co_await respond(MakeErrorResponse(*early, request_id), request_id, keep, head_only,
                            route_index, started)) {
        break;
      }
      continue;
    }

    parser.body_limit(body_limit);  // chunked bodies are cut off here
    if (!parser.is_done()) {
      if (expects_continue) {
        http::response<http::empty_body> cont{http::status::continue_, 11};
        stream.expires_after(cfg.write_timeout);
        auto [cec, cn] = co_await http::async_write(stream, cont, kUseTuple);
        if (cec) break;
      }
      stream.expires_after(cfg.body_timeout);
      auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kUseTuple);
      if (bec) {
        std::optional<ApiErrorKind> answer;
        if (bec == http::error::body_limit) {
          answer = ApiErrorKind::kBodyTooLarge;
        } else if (bec == beast::error::timeout) {
          answer = ApiErrorKind::kRequestTimeout;
        } else if (IsMalformed(bec)) {
          answer = ApiErrorKind::kBadRequest;
        }
        if (answer) {
          co_await respond(MakeErrorResponse({*answer}, request_id), request_id, false, head_only,
                           route_index, started);
        }
        break;
      }
    }

    ApiRequest api_req;
    api_req.method = method;
    api_req.target = req.target();
    api_req.authorization = Header(req, http::field::authorization);
    api_req.content_type = Header(req, http::field::content_type);
    api_req.origin = Header(req, http::field::origin);
    api_req.referer = Header(req, http::field::referer);
    api_req.idempotency_key = Header(req, "Idempotency-Key");
    api_req.forwarded_for = Header(req, "X-Forwarded-For");
    api_req.body = req.body();
    log_bytes_in = api_req.body.size();
    api_req.peer_ip = peer_ip;
    api_req.request_id = request_id;

    Prepared prepared = env.service.Handle(*route, api_req);
    ApiResponse response;
    if (auto* pending = std::get_if<PendingWrite>(&prepared)) {
      co_await AwaitCommit(env.service.writer(), *pending->op);
      response = pending->finish(*pending->op);
    } else {
      response = std::move(std::get<ApiResponse>(prepared));
    }
    if (!co_await respond(std::move(response), request_id, req.keep_alive(), head_only, route_index,
                          started)) {
      break;
    }
  }

  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

}  // namespace thrad
