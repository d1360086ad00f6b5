#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/tag_request.h"
#include "model/tag.h"

namespace thrad::test {

// A set of tags for the pure browser handlers: "shop" (partner_a, https://shop.example and
// https://*.shop.example), "blog" (partner_a, https://blog.example), "other" (partner_b,
// https://shop.example), "gone" (partner_a, removed).
class TestTags {
 public:
  TestTags() {
    Add("shop", "partner_a", {"https://shop.example", "https://*.shop.example"});
    Add("blog", "partner_a", {"https://blog.example"});
    Add("other", "partner_b", {"https://shop.example"});
    Add("gone", "partner_a", {"https://shop.example"}).removed_at = 1;
  }

  TagLookup Finder() const {
    return [this](std::string_view id) -> const TagRecord* {
      auto it = tags_.find(std::string(id));
      return it == tags_.end() || !it->second.active() ? nullptr : &it->second;
    };
  }

 private:
  TagRecord& Add(const std::string& id, const std::string& partner,
                 std::vector<std::string> origins) {
    TagRecord& t = tags_[id];
    t.tag_id = id;
    t.partner_id = partner;
    t.origins = std::move(origins);
    return t;
  }

  std::map<std::string, TagRecord> tags_;
};

// A browser call from `origin` (nullopt: no origin at all).
inline TagCall CallFrom(std::optional<std::string> origin = std::string("https://shop.example")) {
  TagCall call;
  call.origin = origin;
  call.origin_header = origin;
  call.client_ip = "198.51.100.4";
  call.received_at = 1771524000'000000;  // 2026-02-19T18:00:00Z
  return call;
}

}  // namespace thrad::test
