#include "store/postgres/pg_copy.h"

#include <bit>
#include <cmath>
#include <limits>

#include "store/postgres/pg_text.h"

namespace thrad {
namespace {

// "PGCOPY\n\377\r\n\0", then the flags field and the header extension length (both 0).
constexpr char kSignature[] = "PGCOPY\n\377\r\n";
constexpr size_t kSignatureSize = sizeof kSignature;  // with its final NUL

}  // namespace

PgCopyData::PgCopyData() {
  data_.reserve(4096);
  data_.append(kSignature, kSignatureSize);
  Put32(0);
  Put32(0);
}

void PgCopyData::Put16(uint16_t v) {
  data_ += static_cast<char>(v >> 8);
  data_ += static_cast<char>(v & 0xff);
}

void PgCopyData::Put32(uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) data_ += static_cast<char>((v >> shift) & 0xff);
}

void PgCopyData::BeginRow(uint16_t fields) {
  Put16(fields);
  ++rows_;
}

void PgCopyData::AddStored(std::string_view text) {
  // Record fields are far below 2 GiB (the request body limit); the cast cannot truncate.
  Put32(static_cast<uint32_t>(text.size()));
  data_.append(text);
}

void PgCopyData::Add(std::string_view text) {
  if (PgNeedsEscape(text)) return AddStored(PgEncodeText(text));
  AddStored(text);
}

void PgCopyData::Add(const std::optional<std::string>& text) {
  if (text) {
    Add(std::string_view(*text));
  } else {
    AddNull();
  }
}

void PgCopyData::Add(int64_t value) {
  Put32(8);
  const auto u = static_cast<uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8) data_ += static_cast<char>((u >> shift) & 0xff);
}

void PgCopyData::Add(const std::optional<int64_t>& value) {
  if (value) {
    Add(*value);
  } else {
    AddNull();
  }
}

void PgCopyData::Add(const std::optional<double>& value) {
  if (!value || !std::isfinite(*value)) return AddNull();
  Add(static_cast<int64_t>(std::bit_cast<uint64_t>(*value)));
}

void PgCopyData::Add(const std::optional<bool>& value) {
  if (!value) return AddNull();
  Put32(1);
  data_ += static_cast<char>(*value ? 1 : 0);
}

void PgCopyData::AddNull() { Put32(std::numeric_limits<uint32_t>::max()); }  // -1

std::string PgCopyData::Finish() && {
  Put16(std::numeric_limits<uint16_t>::max());  // -1: the trailer
  return std::move(data_);
}

}  // namespace thrad
