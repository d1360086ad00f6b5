#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/status.h"
#include "model/records.h"

namespace thrad {

struct ExportFilter {
  std::optional<UnixMicros> since;  // received_at >= since (clicks: clicked_at >= since)
  std::optional<std::string> partner_id;
};

// The export role (`export events|conversions|clicks`): stored records as JSON lines, the same
// bytes from every backend (store/export_format.h).
//
// Thread-safety: every method may be called from any thread at any time; a long export never
// blocks the writer or key look-ups.
class ExportStore {
 public:
  virtual ~ExportStore() = default;

  // Calls `row` once per stored record, oldest first, with a serialized JSON object that holds
  // every stored field. Stops early and returns its Status if `row` fails.
  virtual Status ExportEvents(const ExportFilter& filter,
                              const std::function<Status(const std::string&)>& row) = 0;
  virtual Status ExportConversions(const ExportFilter& filter,
                                   const std::function<Status(const std::string&)>& row) = 0;
  // Clicks oldest first by clicked_at (ties by partner_id, then click_id, byte-wise).
  virtual Status ExportClicks(const ExportFilter& filter,
                              const std::function<Status(const std::string&)>& row) = 0;
};

}  // namespace thrad
