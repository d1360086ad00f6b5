#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/records.h"

namespace thrad {

// A response as the API layer decides it, independent of the HTTP library. The session
// turns it into bytes on the wire (adding X-Request-Id, Content-Length, Connection).
struct ApiResponse {
  unsigned status = 200;
  std::string body;          // empty for 204
  std::string content_type;  // empty when there is no body
  std::vector<std::pair<std::string, std::string>> headers;
  // The authenticated key, for the access log (its partner and id); never sent.
  std::shared_ptr<const KeyRecord> key;

  ApiResponse& AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

}  // namespace thrad
