#include "store/tag_columns.h"

#include <boost/json.hpp>

namespace thrad {

std::string OriginsToJson(const std::vector<std::string>& origins) {
  boost::json::array array;
  array.reserve(origins.size());
  for (const std::string& o : origins) array.emplace_back(o);
  return boost::json::serialize(array);
}

Result<std::vector<std::string>> OriginsFromJson(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(json, ec);
  if (ec || !value.is_array()) return Status::Corruption("tag origins are not a JSON array");
  std::vector<std::string> origins;
  origins.reserve(value.as_array().size());
  for (const boost::json::value& v : value.as_array()) {
    if (!v.is_string()) return Status::Corruption("tag origins hold a non-string");
    origins.emplace_back(v.as_string());
  }
  return origins;
}

}  // namespace thrad
