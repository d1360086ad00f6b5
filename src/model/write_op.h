#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <variant>
#include <vector>

#include "common/status.h"
#include "model/records.h"
#include "model/refusal.h"

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

// Clicks registered together (the click redirect: one; POST /v1/api/clicks: up to 1,000).
// On kDuplicate the store replaces the record with the click already stored under its
// (partner_id, click_id), so the caller can answer with the stored values.
struct ClickWrite {
  std::vector<ClickRecord> clicks;
  std::vector<WriteOutcome> outcomes;  // same size as clicks once decided
};

// Between a stored conversion and a new one of the same identity: kPayloadMismatch only when
// both came from partners' servers and their payloads differ (API.md section 4); otherwise
// kDuplicate. TAG.md section 5: browser and server conversions of one order count once, whatever
// their payloads, and a browser conversion is answered ok or duplicate, never 422.
inline WriteOutcome ConversionOutcome(const ConversionPayload& stored,
                                      const ConversionPayload& incoming) {
  if (stored.from_tag || incoming.from_tag) return WriteOutcome::kDuplicate;
  return stored == incoming ? WriteOutcome::kDuplicate : WriteOutcome::kPayloadMismatch;
}

struct ConversionWrite {
  ConversionRecord conversion;  // the store fills bid_id and campaign_id from the click
  WriteOutcome outcome = WriteOutcome::kPending;
};

// A unit of work handed to the group-commit writer. Owned by the submitter until on_done
// runs; the writer only fills `status` and the outcomes, then calls on_done exactly once
// on the writer thread after the batch that holds it committed (or failed).
struct WriteOp {
  // RefusalWrite: the diagnostics flush (REPORTS.md section 5); it has no outcome.
  std::variant<EventWrite, ConversionWrite, ClickWrite, RefusalWrite> payload;
  bool dry_run = false;  // run every lookup, write nothing (validate_only)
  Status status;         // non-ok: nothing of this op is stored (503 to the client)
  std::function<void()> on_done;

  // Forgets every outcome (before a transaction is attempted or retried): each record is
  // kPending until the store decides it again.
  void ResetOutcomes() {
    if (auto* events = std::get_if<EventWrite>(&payload)) {
      events->outcomes.assign(events->events.size(), WriteOutcome::kPending);
    } else if (auto* clicks = std::get_if<ClickWrite>(&payload)) {
      clicks->outcomes.assign(clicks->clicks.size(), WriteOutcome::kPending);
    } else if (auto* conversion = std::get_if<ConversionWrite>(&payload)) {
      conversion->outcome = WriteOutcome::kPending;
    }
  }

  // Records this op writes: its events or clicks (a batch has many), or one conversion. The
  // writer's row limits weigh ops by it.
  size_t rows() const {
    if (const auto* events = std::get_if<EventWrite>(&payload)) return events->events.size();
    if (const auto* clicks = std::get_if<ClickWrite>(&payload)) return clicks->clicks.size();
    if (const auto* refusals = std::get_if<RefusalWrite>(&payload)) {
      return std::max<size_t>(1, refusals->counts.size() + refusals->samples.size());
    }
    return 1;
  }
};

}  // namespace thrad
