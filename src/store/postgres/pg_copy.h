#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace thrad {

// Builds the data stream of `COPY table(columns) FROM STDIN (FORMAT binary)`: the signature
// header, then per row a field count and each field as a 32-bit length (-1 for NULL) and its
// binary value (text: its bytes; bigint and float8: 8 bytes, big-endian; boolean: 1 byte), then the
// trailer. The server parses no text for it, and a multi-row COPY writes its heap tuples a page at
// a time.
//
// Text goes in its stored form (PgEncodeText), exactly as PgArray stores it, so a row written by
// COPY equals one written by INSERT and unique constraints decide the same way.
class PgCopyData {
 public:
  PgCopyData();
  // Starts a row of `fields` values; Add exactly that many before the next row or Finish.
  void BeginRow(uint16_t fields);
  void Add(std::string_view text);
  void Add(const std::string& text) { Add(std::string_view(text)); }
  void Add(const std::optional<std::string>& text);
  void Add(int64_t value);
  void Add(const std::optional<int64_t>& value);
  // float8: 8 bytes, IEEE 754 big-endian (a value that is not finite as NULL, as PgArray does).
  void Add(const std::optional<double>& value);
  void Add(const std::optional<bool>& value);  // boolean: 1 byte
  void AddNull();
  size_t rows() const { return rows_; }
  std::string Finish() &&;

 private:
  void AddStored(std::string_view text);
  void Put16(uint16_t v);
  void Put32(uint32_t v);
  std::string data_;
  size_t rows_ = 0;
};

}  // namespace thrad
