#pragma once

#include <optional>
#include <string>

#include "model/records.h"

namespace thrad {

// What a handler knows about a request besides its body. Filled by the HTTP layer after
// authentication; handlers never touch sockets or the store.
struct RequestContext {
  // Who sends: a partner's server with an API key, or a browser tag (TAG.md), which has no
  // key: its records get channel "web", params.integration "tag", no api_key_label, and an
  // empty key_id.
  enum class Source { kServer, kTag };
  Source source = Source::kServer;
  std::string partner_id;
  std::string key_id;
  std::string key_label;
  std::optional<std::string> origin;   // the Origin header, when present
  std::optional<std::string> referer;  // the Referer header, when present
  std::string client_ip;
  UnixMicros received_at = 0;
};

}  // namespace thrad
