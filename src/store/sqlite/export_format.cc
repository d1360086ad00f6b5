#include "store/sqlite/export_format.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace thrad::export_format {

std::string Rfc3339Micros(UnixMicros t) {
  using namespace std::chrono;
  const sys_time<microseconds> tp{microseconds{t}};
  const sys_days day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> hms{tp - day};
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", int{ymd.year()},
                unsigned{ymd.month()}, unsigned{ymd.day()}, static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<long long>(hms.subseconds().count()));
  return buf;
}

std::string DecimalFromMicros(int64_t micros) {
  // Work in unsigned so INT64_MIN has a magnitude too.
  const bool negative = micros < 0;
  const uint64_t magnitude =
      negative ? uint64_t{0} - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / 1000000);
  uint64_t frac = magnitude % 1000000;
  if (frac != 0) {
    char digits[8];
    std::snprintf(digits, sizeof(digits), "%06llu", static_cast<unsigned long long>(frac));
    std::string_view f(digits, 6);
    while (f.back() == '0') f.remove_suffix(1);
    out += '.';
    out += f;
  }
  return out;
}

void JsonObjectWriter::Key(std::string_view key) {
  if (out_.size() > 1) out_ += ',';
  out_ += boost::json::serialize(boost::json::string_view(key.data(), key.size()));
  out_ += ':';
}

void JsonObjectWriter::Add(std::string_view key, const boost::json::value& value) {
  Key(key);
  out_ += boost::json::serialize(value);
}

void JsonObjectWriter::AddRaw(std::string_view key, std::string_view json_text) {
  Key(key);
  out_ += json_text;
}

std::string JsonObjectWriter::Finish() && {
  out_ += '}';
  return std::move(out_);
}

boost::json::value StoredJson(const std::optional<std::string>& text) {
  if (!text.has_value()) return nullptr;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec);
  if (ec) return boost::json::string(*text);
  return v;
}

}  // namespace thrad::export_format
