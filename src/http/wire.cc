#include "http/wire.h"

#include <boost/beast/http/status.hpp>
#include <charconv>

namespace thrad {
namespace {

void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void AppendNumber(std::string& out, uint64_t n) {
  char digits[20];
  const auto end = std::to_chars(digits, digits + sizeof(digits), n).ptr;
  out.append(digits, end);
}

}  // namespace

void AppendResponse(const ApiResponse& api, std::string_view request_id, bool keep_alive,
                    bool head_only, std::string& out) {
  namespace http = boost::beast::http;
  out.append("HTTP/1.1 ");
  AppendNumber(out, api.status);
  out.push_back(' ');
  out.append(http::obsolete_reason(static_cast<http::status>(api.status)));
  out.append("\r\n");
  AppendField(out, "Server", "thrad-events");
  AppendField(out, "X-Request-Id", request_id);
  if (!api.content_type.empty()) AppendField(out, "Content-Type", api.content_type);
  for (const auto& [name, value] : api.headers) AppendField(out, name, value);
  if (!keep_alive) AppendField(out, "Connection", "close");
  // 204 and 304 have no body and no Content-Length (RFC 9110 §8.6: a 304 may only repeat the
  // 200's length, which it does not know here).
  const bool bodiless = api.status == 204 || api.status == 304;
  if (!bodiless) {
    out.append("Content-Length: ");
    AppendNumber(out, api.body.size());
    out.append("\r\n");
  }
  out.append("\r\n");
  if (!bodiless && !head_only) out.append(api.body);
}

}  // namespace thrad
