#include "http/session.h"

#include <spdlog/spdlog.h>

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
using Clock = std::chrono::steady_clock;

// A connection refused for being over --max-connections lingers less than a served one: the
// server is overloaded.
constexpr std::chrono::milliseconds kRefusedLingerTimeout{500};
constexpr uint64_t kRefusedLingerBytes = 64 * 1024;

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

// The one translation of a failed read of a request into its answer: 431 over the header
// limit, 413 over the body limit, 408 on a timeout, 400 on a malformed request; nullopt when
// the peer went away (nothing to answer).
std::optional<ApiErrorKind> ReadErrorKind(const beast::error_code& ec) {
  if (ec == http::error::header_limit) return ApiErrorKind::kHeadersTooLarge;
  if (ec == http::error::body_limit) return ApiErrorKind::kBodyTooLarge;
  if (ec == beast::error::timeout) return ApiErrorKind::kRequestTimeout;
  if (IsMalformed(ec)) return ApiErrorKind::kBadRequest;
  return std::nullopt;
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
    case http::verb::options:
      return Method::kOptions;
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
    case Method::kOptions:
      return "OPTIONS";
    default:
      return "OTHER";
  }
}

using Request = http::request<http::string_body>;

std::optional<std::string_view> Header(const Request& req, http::field f) {
  auto it = req.find(f);
  if (it == req.end()) return std::nullopt;
  return it->value();
}

std::optional<std::string_view> Header(const Request& req, std::string_view name) {
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

// Runs `run` on the read thread's context and resumes on this coroutine's executor with its
// answer: the I/O thread serves its other connections meanwhile. A read that throws is answered
// 503, as a read whose store fails.
asio::awaitable<ApiResponse> AwaitRead(asio::io_context& reads, std::function<ApiResponse()>& run,
                                       const std::string& request_id) {
  ApiResponse response;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&reads, &run, &response, &request_id](auto handler) {
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        asio::post(reads, [h, ex, &run, &response, &request_id] {
          try {
            response = run();
          } catch (const std::exception& e) {
            spdlog::error("read for {} failed: {}", request_id, e.what());
            response = MakeErrorResponse({ApiErrorKind::kUnavailable}, request_id);
          }
          asio::post(ex, std::move(*h));
        });
      },
      asio::use_awaitable);
  co_return response;
}

// Stops writing, then reads and drops what the client still sends until it closes too, for
// at most `timeout` and `max_bytes` (RFC 9112 section 9.6, "lingering close"): closing with
// unread input would reset the connection, and a reset can destroy the answer before the
// client reads it.
asio::awaitable<void> LingeringClose(beast::tcp_stream& stream, std::chrono::milliseconds timeout,
                                     uint64_t max_bytes) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(timeout);
  char sink[4096];
  for (uint64_t drained = 0; drained < max_bytes;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
    if (ec) break;
    drained += n;
  }
}

// One request and its answer, as the session's phases fill them in.
struct Exchange {
  Clock::time_point started;
  http::request_parser<http::string_body> parser;
  std::string request_id;
  Method method = Method::kOther;
  Target target;
  std::optional<RouteMatch> route;
  size_t route_index = 0;  // RouteIndex(): the metrics series
  bool head_only = false;
  uint64_t bytes_in = 0;
  bool expects_continue = false;
};

// How an exchange ends: the connection serves another request, or closes. A close with the
// request not wholly read lingers first.
enum class Next { kBody, kNextRequest, kClose, kCloseLingering };

// Serves one connection: waits for a request, reads its head, then its body, hands it to
// the ApiService and writes the answer; again while keep-alive holds.
class Session {
 public:
  Session(std::shared_ptr<Connection> conn, SessionEnv env)
      : conn_(std::move(conn)), env_(env), cfg_(env.config), stream_(conn_->stream) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ip_ = ep.address().to_string();
  }

  asio::awaitable<void> Run() {
    Next next = Next::kNextRequest;
    while (next == Next::kNextRequest) {
      if (!co_await AwaitRequest()) break;
      Exchange ex;
      ex.started = Clock::now();
      ex.route_index = RouteIndex(nullptr);
      next = co_await ReadHead(ex);
      if (next == Next::kBody) next = co_await ReadBody(ex);
      if (next == Next::kBody) next = co_await Serve(ex);
    }
    if (next == Next::kCloseLingering) {
      co_await LingeringClose(stream_, cfg_.linger_timeout, cfg_.linger_bytes);
    }
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

 private:
  // Idle: waits for the first byte of the next request (unless pipelined bytes wait).
  // False: close (idle timeout, peer gone, shutting down).
  asio::awaitable<bool> AwaitRequest() {
    if (buffer_.size() == 0) {
      if (Draining()) co_return false;
      conn_->idle = true;
      stream_.expires_after(cfg_.idle_timeout);
      auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), kUseTuple);
      conn_->idle = false;
      if (ec) co_return false;
      buffer_.commit(n);
    }
    conn_->idle = false;
    co_return true;
  }

  // Phase 1: the request line and headers, then every check that needs no body.
  asio::awaitable<Next> ReadHead(Exchange& ex) {
    auto& parser = ex.parser;
    parser.header_limit(cfg_.header_limit);
    // No body limit while reading headers: an oversized Content-Length must reach
    // CheckHead (which answers 413 in the spec's order) instead of failing the read.
    parser.body_limit(boost::none);
    stream_.expires_after(cfg_.header_timeout);
    auto [ec, header_bytes] = co_await http::async_read_header(stream_, buffer_, parser, kUseTuple);
    if (ec) {
      ex.request_id = ResolveRequestId(std::nullopt);
      co_return co_await AnswerReadError(ex, ec);
    }
    const Request& req = parser.get();
    ex.request_id = ResolveRequestId(Header(req, "X-Request-Id"));
    ex.method = ToMethod(req.method());
    ex.target = ParseTarget(req.target());
    ex.route = MatchRoute(ex.target.path);
    ex.route_index = RouteIndex(ex.route ? ex.route->spec : nullptr);
    ex.head_only = ex.method == Method::kHead;
    if (auto bad = CheckHeaderSection(parser, header_bytes, cfg_)) {
      co_await Respond(MakeErrorResponse({*bad}, ex.request_id), ex, false);
      co_return Next::kCloseLingering;
    }
    const auto expect = Header(req, http::field::expect);
    ex.expects_continue = expect && beast::iequals(*expect, "100-continue");

    std::optional<uint64_t> content_length;
    if (parser.content_length()) content_length = *parser.content_length();
    const uint64_t body_limit = BodyLimit(ex);
    auto early = env_.service.CheckHead(ex.route, ex.method, content_length, body_limit);
    if (!early) co_return Next::kBody;
    co_return co_await AnswerEarly(ex, *early, body_limit);
  }

  // An answer decided from the head alone (404, 405, 413). The connection stays open only
  // when the (small, announced) body can be skipped cleanly.
  asio::awaitable<Next> AnswerEarly(Exchange& ex, const ApiError& error, uint64_t body_limit) {
    auto& parser = ex.parser;
    bool keep = parser.get().keep_alive() && error.kind != ApiErrorKind::kBodyTooLarge;
    bool read_whole = parser.is_done();
    if (keep && !read_whole) {
      // Never read an announced body past the limit: the parser checked Content-Length
      // against no limit, and its string body would reserve all of it (a 404 with
      // "Content-Length: 2049638230412172400" aborted the server; found by fuzzing).
      if (ex.expects_continue || !parser.content_length() ||
          *parser.content_length() > body_limit) {
        keep = false;
      } else {
        parser.body_limit(body_limit);
        stream_.expires_after(cfg_.body_timeout);
        auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, kUseTuple);
        keep = !ec;
        read_whole = !ec;
      }
    }
    const bool kept = co_await Respond(MakeErrorResponse(error, ex.request_id), ex, keep);
    if (kept) co_return Next::kNextRequest;
    // A client told to wait for 100-continue sends nothing more: nothing to linger for.
    co_return read_whole || ex.expects_continue ? Next::kClose : Next::kCloseLingering;
  }

  // Phase 2: the body, within the route's limit (chunked bodies are cut off there too).
  asio::awaitable<Next> ReadBody(Exchange& ex) {
    auto& parser = ex.parser;
    parser.body_limit(BodyLimit(ex));
    if (parser.is_done()) co_return Next::kBody;
    if (ex.expects_continue) {
      http::response<http::empty_body> cont{http::status::continue_, 11};
      stream_.expires_after(cfg_.write_timeout);
      auto [ec, n] = co_await http::async_write(stream_, cont, kUseTuple);
      if (ec) co_return Next::kClose;
    }
    stream_.expires_after(cfg_.body_timeout);
    auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, kUseTuple);
    if (ec) co_return co_await AnswerReadError(ex, ec);
    co_return Next::kBody;
  }

  // A read that failed: its answer when it has one (the request was not wholly read, so
  // the connection closes, lingering unless the client stopped sending), else just close.
  asio::awaitable<Next> AnswerReadError(Exchange& ex, const beast::error_code& ec) {
    const std::optional<ApiErrorKind> kind = ReadErrorKind(ec);
    if (!kind) co_return Next::kClose;
    co_await Respond(MakeErrorResponse({*kind}, ex.request_id), ex, false);
    co_return *kind == ApiErrorKind::kRequestTimeout ? Next::kClose : Next::kCloseLingering;
  }

  // Phase 3: the request, whole, through the ApiService; its write (if any) committed; the
  // answer written.
  asio::awaitable<Next> Serve(Exchange& ex) {
    const Request& req = ex.parser.get();
    ApiRequest api_req;
    api_req.method = ex.method;
    api_req.target = ex.target;
    api_req.authorization = Header(req, http::field::authorization);
    api_req.content_type = Header(req, http::field::content_type);
    api_req.origin = Header(req, http::field::origin);
    api_req.referer = Header(req, http::field::referer);
    api_req.idempotency_key = Header(req, "Idempotency-Key");
    api_req.forwarded_for = Header(req, "X-Forwarded-For");
    api_req.user_agent = Header(req, http::field::user_agent);
    api_req.sec_purpose = Header(req, "Sec-Purpose");
    api_req.purpose = Header(req, "Purpose");
    api_req.if_none_match = Header(req, http::field::if_none_match);
    api_req.body = req.body();
    ex.bytes_in = api_req.body.size();
    api_req.peer_ip = peer_ip_;
    api_req.request_id = ex.request_id;

    Prepared prepared = env_.service.Handle(*ex.route, api_req);
    ApiResponse response;
    if (auto* pending = std::get_if<PendingWrite>(&prepared)) {
      co_await AwaitCommit(env_.service.writer(), *pending->op);
      response = pending->finish(*pending->op);
    } else if (auto* read = std::get_if<PendingRead>(&prepared)) {
      response = co_await AwaitRead(env_.reads, read->run, ex.request_id);
    } else {
      response = std::move(std::get<ApiResponse>(prepared));
    }
    const bool kept = co_await Respond(std::move(response), ex, req.keep_alive());
    co_return kept ? Next::kNextRequest : Next::kClose;
  }

  // Writes `api`; then metrics and the access-log line. Returns whether the connection may
  // serve another request.
  asio::awaitable<bool> Respond(ApiResponse api, const Exchange& ex, bool keep_alive) {
    keep_alive = keep_alive && !Draining();
    const unsigned status = api.status;
    const std::shared_ptr<const KeyRecord> key = std::move(api.key);
    const std::string partner_id = key ? key->partner_id : std::move(api.partner_id);
    const uint64_t bytes_out = api.body.size();
    wire_.clear();
    AppendResponse(api, ex.request_id, keep_alive, ex.head_only, wire_);
    stream_.expires_after(cfg_.write_timeout);
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(wire_), kUseTuple);
    if (wire_.capacity() > 64 * 1024) std::string().swap(wire_);  // after a large answer
    const auto elapsed = Clock::now() - ex.started;
    env_.metrics.ObserveRequest(ex.route_index, status, elapsed);
    // Diagnostics: a refusal of an authenticated request, noted after it was answered.
    if (key && status / 100 == 4 && ex.route) {
      env_.service.NoteRefusal(*ex.route->spec, status, *key, api.body, ex.request_id);
    }
    if (AccessLog* log = env_.service.access_log()) {
      log->Write({.request_id = ex.request_id,
                  .method = MethodName(ex.method),
                  .route = RouteName(ex.route_index),
                  .status = status,
                  .duration = elapsed,
                  .partner_id = partner_id,
                  .key_id = key ? std::string_view(key->id) : std::string_view(),
                  .peer_ip = peer_ip_,
                  .bytes_in = ex.bytes_in,
                  .bytes_out = bytes_out,
                  .error_body = status / 100 == 4 && log->error_details()
                                    ? std::string_view(api.body)
                                    : std::string_view()});
    }
    co_return !ec && keep_alive;
  }

  uint64_t BodyLimit(const Exchange& ex) const {
    return ex.route ? cfg_.BodyLimit(ex.route->spec->body_limit) : cfg_.body_limit;
  }
  bool Draining() const { return env_.draining.load(std::memory_order_relaxed); }

  std::shared_ptr<Connection> conn_;
  SessionEnv env_;
  const ServerConfig& cfg_;
  beast::tcp_stream& stream_;
  beast::flat_buffer buffer_;
  std::string peer_ip_;
  // The bytes of the current response; reused, so a connection allocates it once.
  std::string wire_;
};

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
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(wire), kUseTuple);
  if (!ec) co_await LingeringClose(stream, kRefusedLingerTimeout, kRefusedLingerBytes);
}

asio::awaitable<void> RunSession(std::shared_ptr<Connection> conn, SessionEnv env) {
  Session session(std::move(conn), env);
  co_await session.Run();
}

}  // namespace thrad
