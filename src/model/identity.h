#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "model/records.h"

namespace thrad {

// The unique key of an event that can conflict with another: (partner_id, tag_id, event_id).
// nullopt without an event_id (a NULL event_id never conflicts). The one definition of an
// event's identity: the batch handler's in-request duplicates, and both stores' lock order
// and duplicate matching, are built from it.
using EventKey = std::tuple<std::string_view, std::string_view, std::string_view>;
inline std::optional<EventKey> EventKeyOf(const EventRecord& e) {
  if (!e.event_id) return std::nullopt;
  return EventKey(e.partner_id, e.tag_id, *e.event_id);
}

// A unique key's values as one string, each part length-prefixed so no content can be
// ambiguous: for hash maps keyed by identity.
inline std::string Identity(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (std::string_view p : parts) {
    key += std::to_string(p.size());
    key += ':';
    key += p;
  }
  return key;
}

// EventKeyOf(e) as one string. Requires e.event_id.
inline std::string EventIdentity(const EventRecord& e) {
  return Identity({e.partner_id, e.tag_id, *e.event_id});
}

// The unique key of a click: (partner_id, click_id). Every click has one (it always can
// conflict). What decides a duplicate click, and PostgreSQL's lock order.
using ClickKey = std::tuple<std::string_view, std::string_view>;
inline std::optional<ClickKey> ClickKeyOf(const ClickRecord& c) {
  return ClickKey(c.partner_id, c.click_id);
}

// ClickKeyOf(c) as one string.
inline std::string ClickIdentity(const ClickRecord& c) {
  return Identity({c.partner_id, c.click_id});
}

// The unique key of a conversion that can conflict with another: (partner_id, click_id,
// event_type, dedup_key). nullopt without a dedup key (a NULL dedup_key never conflicts). What
// decides duplicate or payload mismatch between two conversions, and PostgreSQL's lock order.
using ConversionKey =
    std::tuple<std::string_view, std::string_view, std::string_view, std::string_view>;
inline std::optional<ConversionKey> ConversionKeyOf(const ConversionRecord& c) {
  if (!c.dedup_key) return std::nullopt;
  return ConversionKey(c.partner_id, c.click_id, c.event_type, *c.dedup_key);
}

// ConversionKeyOf(c) as one string. Requires c.dedup_key.
inline std::string ConversionIdentity(const ConversionRecord& c) {
  return Identity({c.partner_id, c.click_id, c.event_type, *c.dedup_key});
}

}  // namespace thrad
