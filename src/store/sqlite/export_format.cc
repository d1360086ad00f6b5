#include "store/sqlite/export_format.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace thrad::export_format {

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
  // Stored JSON may nest as deep as a request body may (64 levels, api/json_body.h); the
  // parser's default limit of 32 would turn deeper objects into strings.
  boost::json::parse_options options;
  options.max_depth = 256;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec, {}, options);
  if (ec) return boost::json::string(*text);
  return v;
}

}  // namespace thrad::export_format
