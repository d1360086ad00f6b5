#include "api/batch.h"

#include <utility>

namespace thrad {
namespace {

namespace json = boost::json;

BatchBody Fail(BatchBody out, FieldError error) {
  out.errors.push_back(std::move(error));
  return out;
}

}  // namespace

const char* BatchItemStatusName(BatchItemStatus s) {
  switch (s) {
    case BatchItemStatus::kOk:
      return "ok";
    case BatchItemStatus::kDuplicate:
      return "duplicate";
    case BatchItemStatus::kError:
      break;
  }
  return "error";
}

const json::array& BatchBody::items() const { return json.object.at(key).get_array(); }

const RawNumbers& BatchBody::raw_numbers(size_t index) const {
  static const RawNumbers kNoRawNumbers;
  return index < json.element_raw_numbers.size() ? json.element_raw_numbers[index] : kNoRawNumbers;
}

BatchBody ParseBatchBody(std::string_view body_text, std::string_view key, size_t max_items) {
  BatchBody out;
  out.key = key;
  Parsed<JsonBody> parsed = ParseJsonBatchBody(body_text, key);
  if (!parsed.ok()) {
    out.errors = std::move(parsed.errors);
    return out;
  }
  out.json = std::move(parsed.record);
  const json::value* items = out.json.object.if_contains(key);
  if (items == nullptr || items->is_null()) return Fail(std::move(out), MissingError(BodyLoc(key)));
  if (!items->is_array()) return Fail(std::move(out), ListTypeError(BodyLoc(key)));
  const size_t size = items->get_array().size();
  if (size == 0) return Fail(std::move(out), ListTooShortError(BodyLoc(key), 1, 0));
  if (size > max_items) {
    return Fail(std::move(out), ListTooLongError(BodyLoc(key), static_cast<int64_t>(max_items),
                                                 static_cast<int64_t>(size)));
  }
  return out;
}

FieldLoc BatchItemLoc(std::string_view key, size_t index) {
  FieldLoc loc = BodyLoc(key);
  loc.emplace_back(static_cast<int64_t>(index));
  return loc;
}

void RerootItemErrors(std::vector<FieldError>& errors, std::string_view key, size_t index) {
  for (FieldError& e : errors) {
    FieldLoc loc = BatchItemLoc(key, index);
    for (size_t i = 1; i < e.loc.size(); ++i) loc.push_back(std::move(e.loc[i]));
    e.loc = std::move(loc);
  }
}

void FailItem(BatchItem& item, std::vector<FieldError> errors, std::string_view key, size_t index) {
  item.status = BatchItemStatus::kError;
  item.errors = std::move(errors);
  RerootItemErrors(item.errors, key, index);
}

const json::object* ItemObject(const BatchBody& body, size_t index, BatchItem& item) {
  const json::value& v = body.items()[index];
  if (v.is_object()) return &v.get_object();
  item.status = BatchItemStatus::kError;
  item.errors.push_back(DictTypeError(BatchItemLoc(body.key, index)));
  return nullptr;
}

void ApplyBatchOutcomes(std::vector<BatchItem>& items, const std::vector<WriteOutcome>& outcomes) {
  for (BatchItem& item : items) {
    if (item.status == BatchItemStatus::kError || item.repeat || !item.slot) continue;
    if (*item.slot < outcomes.size() && outcomes[*item.slot] == WriteOutcome::kDuplicate) {
      item.status = BatchItemStatus::kDuplicate;
    }
  }
}

BatchCounts CountBatch(const std::vector<BatchItem>& items) {
  BatchCounts c;
  for (const BatchItem& item : items) {
    switch (item.status) {
      case BatchItemStatus::kOk:
        ++c.accepted;
        break;
      case BatchItemStatus::kDuplicate:
        ++c.duplicates;
        break;
      case BatchItemStatus::kError:
        ++c.rejected;
        break;
    }
  }
  return c;
}

json::object BatchCountsJson(const std::vector<BatchItem>& items, bool validate_only) {
  const BatchCounts counts = CountBatch(items);
  json::object body;
  if (validate_only) body["status"] = "valid";
  body["accepted"] = counts.accepted;
  body["duplicates"] = counts.duplicates;
  body["rejected"] = counts.rejected;
  return body;
}

json::object BatchItemJson(const BatchItem& item, size_t index) {
  json::object r;
  r["index"] = static_cast<int64_t>(index);
  r["status"] = BatchItemStatusName(item.status);
  if (item.status == BatchItemStatus::kError) r["errors"] = FieldErrorsToJson(item.errors);
  return r;
}

}  // namespace thrad
