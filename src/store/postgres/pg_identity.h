#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "store/records.h"

namespace thrad {

// A unique key's values as one string, each part length-prefixed so no content can be
// ambiguous: how the PostgreSQL write path finds duplicates within a batch and matches
// RETURNING rows to records.
inline std::string Identity(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (std::string_view p : parts) {
    key += std::to_string(p.size());
    key += ':';
    key += p;
  }
  return key;
}

// (partner_id, tag_id, event_id) of an event that has an event_id.
inline std::string EventIdentity(const EventRecord& e) {
  return Identity({e.partner_id, e.tag_id, *e.event_id});
}

}  // namespace thrad
