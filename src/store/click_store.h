#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "model/records.h"

namespace thrad {

// A stored click and how many stored conversions name it (its partner's conversions with its
// click_id).
struct ClickLookup {
  ClickRecord click;
  uint64_t conversions = 0;
};

// The click role: registering clicks one at a time (`clicks add`) and looking one up
// (`GET /v1/api/clicks/{click_id}`). The click redirect and click registration write clicks
// through the group commit (WriteStore, ClickWrite), and conversions read their click inside
// the write transaction, not through this role.
//
// Thread-safety: every method may be called from any thread at any time. FindClick runs on the
// store's read connection(s), never the writer's, so an I/O thread may call it while the writer
// commits.
class ClickStore {
 public:
  virtual ~ClickStore() = default;

  // Stores every field of `click`. AlreadyExists when (partner_id, click_id) exists.
  virtual Status InsertClick(const ClickRecord& click) = 0;

  // The click `click_id` of `partner_id`, with its conversion count; nullopt when that partner
  // has no such click (another partner's click of the same id is not found).
  virtual Result<std::optional<ClickLookup>> FindClick(std::string_view partner_id,
                                                       std::string_view click_id) = 0;
};

}  // namespace thrad
