#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/field_error.h"
#include "api/json_body.h"
#include "model/write_op.h"

namespace thrad {

// The parts shared by the batch endpoints (POST /v1/api/collect/batch: "events";
// POST /v1/api/clicks: "clicks"): the body {"<key>":[<item>, ...]} and its whole-body checks,
// item locations, each item's outcome, the store's decisions applied to them, the counts.

// What happened to one element of the batch's array.
enum class BatchItemStatus {
  kOk,         // valid; stored (or, before the store answered, to be stored)
  kDuplicate,  // valid, but its identity is already stored or came earlier in the batch
  kError,      // invalid: `errors` says why; nothing written
};

// "ok", "duplicate", "error": the status of a result in a batch answer.
const char* BatchItemStatusName(BatchItemStatus status);

struct BatchItem {
  BatchItemStatus status = BatchItemStatus::kOk;
  std::vector<FieldError> errors;  // kError only; every loc starts ["body",<key>,index]
  // Position, in the records written for the batch, of the record written for this item (for
  // a repeat: of the earlier item it repeats). Unset for kError.
  std::optional<size_t> slot;
  bool repeat = false;  // a duplicate of an earlier item of the same batch
};

// A batch body whose array passed the whole-body checks. When `errors` is non-empty the whole
// request is invalid (422) and nothing else is meaningful.
struct BatchBody {
  JsonBody json;
  std::string_view key;            // the array member, e.g. "events"
  std::vector<FieldError> errors;  // whole-body problems

  bool ok() const { return errors.empty(); }
  // The array member `key` (requires ok()).
  const boost::json::array& items() const;
  // The source text of the direct number members of element `index` (see JsonBody).
  const RawNumbers& raw_numbers(size_t index) const;
};

// Parses {"<key>":[...]} (`key` must outlive the result). Whole-body errors (422, nothing
// written): the body is not a JSON object (ParseJsonObjectBody's one error at ["body"]);
// `key` missing or null (missing), not an array (list_type), empty (too_short) or longer than
// `max_items` (too_long), all at ["body",key]. Other top-level members are ignored.
BatchBody ParseBatchBody(std::string_view body, std::string_view key, size_t max_items);

// ["body", key, index].
FieldLoc BatchItemLoc(std::string_view key, size_t index);

// Re-roots an item's errors, located as for a single body, into the batch:
// ["body", rest...] -> ["body", key, index, rest...].
void RerootItemErrors(std::vector<FieldError>& errors, std::string_view key, size_t index);

// Element `index` of body.items() when it is an object; else nullptr, and `item` is marked
// invalid: dict_type at ["body",key,index].
const boost::json::object* ItemObject(const BatchBody& body, size_t index, BatchItem& item);

// Marks `item` invalid with `errors` (located as for a single body; re-rooted here).
void FailItem(BatchItem& item, std::vector<FieldError> errors, std::string_view key, size_t index);

// The identities of the records kept so far in one batch, each with its slot.
using BatchIdentities = std::unordered_map<std::string, size_t>;

// Keeps a valid item's record: appends it to `records` (item.slot = its position), unless
// `identity` (when set) is already in `seen`; then the item is a duplicate of that earlier
// record (kDuplicate, repeat, the earlier slot) and nothing is appended. No identity never
// repeats.
template <typename Record>
void KeepBatchRecord(BatchItem& item, Record record, std::optional<std::string> identity,
                     BatchIdentities& seen, std::vector<Record>& records) {
  if (identity) {
    auto [it, inserted] = seen.try_emplace(std::move(*identity), records.size());
    if (!inserted) {
      item.status = BatchItemStatus::kDuplicate;
      item.repeat = true;
      item.slot = it->second;
      return;
    }
  }
  item.slot = records.size();
  records.push_back(std::move(record));
}

// Applies the store's decisions (`outcomes[i]` for the record in slot i) to the items:
// kStored stays ok, kDuplicate becomes duplicate. Repeats and errors are left as they are.
void ApplyBatchOutcomes(std::vector<BatchItem>& items, const std::vector<WriteOutcome>& outcomes);

struct BatchCounts {
  int64_t accepted = 0;    // ok: stored (validate_only: would be stored)
  int64_t duplicates = 0;  // answered as duplicates; nothing written
  int64_t rejected = 0;    // invalid
};
BatchCounts CountBatch(const std::vector<BatchItem>& items);

// The head of a batch answer: {"status":"valid"} when validate_only, then
// "accepted", "duplicates" and "rejected" (CountBatch); the caller adds "results".
boost::json::object BatchCountsJson(const std::vector<BatchItem>& items, bool validate_only);

// {"index":index,"status":"ok"|"duplicate"|"error"}, with "errors" for kError. (validate_only
// answers use the same item statuses: "ok" is "would be stored".)
boost::json::object BatchItemJson(const BatchItem& item, size_t index);

}  // namespace thrad
