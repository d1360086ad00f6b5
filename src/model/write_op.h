#pragma once

#include <cstddef>
#include <functional>
#include <variant>
#include <vector>

#include "common/status.h"
#include "model/records.h"

namespace thrad {

// What the store decided for one record inside its write transaction.
enum class WriteOutcome {
  kPending,          // not decided yet
  kStored,           // new row written (or, in a dry run, would be written)
  kDuplicate,        // identity exists with the same payload; nothing written
  kClickNotFound,    // conversion: no such click for this partner
  kClickMissingBid,  // conversion: the click has no bid id
  kPayloadMismatch,  // conversion: identity exists with a different payload
};

// One or more collect events committed together (one for /collect, many for a batch).
struct EventWrite {
  std::vector<EventRecord> events;
  std::vector<WriteOutcome> outcomes;  // same size as events once decided
};

struct ConversionWrite {
  ConversionRecord conversion;  // the store fills bid_id and campaign_id from the click
  WriteOutcome outcome = WriteOutcome::kPending;
};

// A unit of work handed to the group-commit writer. Owned by the submitter until on_done
// runs; the writer only fills `status` and the outcomes, then calls on_done exactly once
// on the writer thread after the batch that holds it committed (or failed).
struct WriteOp {
  std::variant<EventWrite, ConversionWrite> payload;
  bool dry_run = false;  // run every lookup, write nothing (validate_only)
  Status status;         // non-ok: nothing of this op is stored (503 to the client)
  std::function<void()> on_done;

  // Forgets every outcome (before a transaction is attempted or retried): each record is
  // kPending until the store decides it again.
  void ResetOutcomes() {
    if (auto* events = std::get_if<EventWrite>(&payload)) {
      events->outcomes.assign(events->events.size(), WriteOutcome::kPending);
    } else {
      std::get<ConversionWrite>(payload).outcome = WriteOutcome::kPending;
    }
  }

  // Records this op writes: its events (a batch has many), or one conversion. The writer's
  // row limits weigh ops by it.
  size_t rows() const {
    const auto* events = std::get_if<EventWrite>(&payload);
    return events != nullptr ? events->events.size() : 1;
  }
};

}  // namespace thrad
