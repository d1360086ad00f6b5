#include "store/postgres/pg_query.h"

#include <charconv>
#include <cmath>

#include "store/postgres/pg_text.h"

namespace thrad {

void PgArray::Separator() {
  if (!empty_) text_ += ',';
  empty_ = false;
}

void PgArray::Add(std::string_view text) {
  if (PgNeedsEscape(text)) return AddStored(PgEncodeText(text));
  AddStored(text);
}

void PgArray::AddStored(std::string_view text) {
  Separator();
  text_ += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') text_ += '\\';
    text_ += c;
  }
  text_ += '"';
}

void PgArray::Add(const std::optional<std::string>& text) {
  if (text) {
    Add(std::string_view(*text));
  } else {
    AddNull();
  }
}

void PgArray::Add(int64_t value) {
  Separator();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  text_.append(buf, end);
}

void PgArray::Add(const std::optional<int64_t>& value) {
  if (value) {
    Add(*value);
  } else {
    AddNull();
  }
}

void PgArray::Add(const std::optional<double>& value) {
  if (!value || !std::isfinite(*value)) return AddNull();
  Separator();
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *value);
  text_.append(buf, end);
}

void PgArray::Add(const std::optional<bool>& value) {
  if (!value) return AddNull();
  Separator();
  text_ += *value ? "true" : "false";
}

void PgArray::AddNull() {
  Separator();
  text_ += "NULL";
}

std::string PgArray::Finish() && {
  text_ += '}';
  return std::move(text_);
}

}  // namespace thrad
