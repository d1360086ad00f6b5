#pragma once

#include <string>
#include <string_view>

#include "http/api_response.h"

namespace thrad {

// Appends the HTTP/1.1 bytes of `api` to `out`: the status line; Server, X-Request-Id,
// Content-Type and api.headers in that order; "Connection: close" unless `keep_alive`;
// Content-Length (except for 204); then the body, or no body when `head_only` (Content-Length
// still gives the body's size). The same bytes Beast's serializer writes for that message,
// without building one (the request path's hottest allocations). Pure; header values come
// from this server, never from the request, except the already validated request id.
void AppendResponse(const ApiResponse& api, std::string_view request_id, bool keep_alive,
                    bool head_only, std::string& out);

}  // namespace thrad
