#include "http/wire.h"

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>
#include <sstream>

namespace thrad {
namespace {

namespace http = boost::beast::http;

// The reference: the message Beast builds for the same response, serialized by Beast.
std::string BeastBytes(const ApiResponse& api, const std::string& request_id, bool keep_alive,
                       bool head_only) {
  http::response<http::string_body> res{static_cast<http::status>(api.status), 11};
  res.set(http::field::server, "thrad-events");
  res.set("X-Request-Id", request_id);
  if (!api.content_type.empty()) res.set(http::field::content_type, api.content_type);
  for (const auto& [name, value] : api.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  // 204 and 304 have no body and no Content-Length (RFC 9110 §8.6: a 304's length would have
  // to be the 200's); Beast's prepare_payload would write "Content-Length: 0" on a 304.
  if (api.status != 204 && api.status != 304) {
    res.body() = api.body;
    res.prepare_payload();
    if (head_only) res.body().clear();
  }
  std::ostringstream os;
  os << res;
  return os.str();
}

std::string Ours(const ApiResponse& api, const std::string& request_id, bool keep_alive,
                 bool head_only) {
  std::string out = "left alone|";
  AppendResponse(api, request_id, keep_alive, head_only, out);
  EXPECT_EQ(out.substr(0, 11), "left alone|");  // appends, never clears
  return out.substr(11);
}

ApiResponse Make(unsigned status, std::string body, std::string content_type,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  r.headers = std::move(headers);
  return r;
}

TEST(WireTest, NoContentIsExactlyTheseBytes) {
  EXPECT_EQ(Ours(Make(204, "", ""), "req_1", true, false),
            "HTTP/1.1 204 No Content\r\nServer: thrad-events\r\nX-Request-Id: req_1\r\n\r\n");
}

TEST(WireTest, JsonAnswerHasTypeLengthAndBody) {
  EXPECT_EQ(Ours(Make(200, R"({"status":"ok"})", "application/json"), "r", true, false),
            "HTTP/1.1 200 OK\r\nServer: thrad-events\r\nX-Request-Id: r\r\n"
            "Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}");
}

TEST(WireTest, SameBytesAsBeastForEveryShapeOfAnswer) {
  const std::vector<ApiResponse> answers = {
      Make(204, "", ""),
      Make(204, "", "", {{"Idempotent-Replayed", "true"}}),
      Make(200, R"({"status":"duplicate"})", "application/json", {{"Idempotent-Replayed", "true"}}),
      Make(401, R"({"detail":"Invalid API key"})", "application/json",
           {{"WWW-Authenticate", "Bearer"}}),
      Make(405, R"({"detail":"Method not allowed"})", "application/json", {{"Allow", "POST"}}),
      Make(429, "{}", "application/json",
           {{"Retry-After", "2"},
            {"RateLimit-Limit", "10"},
            {"RateLimit-Remaining", "0"},
            {"RateLimit-Reset", "2"}}),
      Make(503, R"({"detail":"Service unavailable"})", "application/json", {{"Retry-After", "1"}}),
      Make(200, "# HELP x\n", "text/plain; version=0.0.4; charset=utf-8"),
      Make(413, "", "application/json"),
      Make(304, "", "", {{"ETag", "\"0123abcd\""}, {"Cache-Control", "public, max-age=3600"}}),
      Make(200, "(function(){})();", "text/javascript", {{"ETag", "\"0123abcd\""}}),
      Make(422, std::string(100'000, 'x'), "application/json"),
  };
  for (const ApiResponse& a : answers) {
    for (bool keep_alive : {true, false}) {
      for (bool head_only : {false, true}) {
        EXPECT_EQ(Ours(a, "req_0123456789abcdef", keep_alive, head_only),
                  BeastBytes(a, "req_0123456789abcdef", keep_alive, head_only))
            << a.status << " keep_alive=" << keep_alive << " head_only=" << head_only;
      }
    }
  }
}

}  // namespace
}  // namespace thrad
