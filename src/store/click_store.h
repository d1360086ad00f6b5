#pragma once

#include "common/status.h"
#include "model/records.h"

namespace thrad {

// The click role: registering clicks (`clicks add`). Conversions read clicks inside the write
// transaction (WriteStore), not through this role.
//
// Thread-safety: every method may be called from any thread at any time.
class ClickStore {
 public:
  virtual ~ClickStore() = default;

  // AlreadyExists when (partner_id, click_id) exists.
  virtual Status InsertClick(const ClickRecord& click) = 0;
};

}  // namespace thrad
