#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <utility>

#include "common/json_numbers.h"
#include "http/api_response.h"

namespace thrad {

// Successful answers with a JSON body (errors go through MakeErrorResponse).
inline ApiResponse JsonResponse(unsigned status, std::string serialized) {
  ApiResponse res;
  res.status = status;
  res.content_type = "application/json";
  res.body = std::move(serialized);
  return res;
}

inline ApiResponse JsonResponse(unsigned status, const boost::json::object& body) {
  return JsonResponse(status, SerializeJson(body));
}

inline ApiResponse NoContent() {
  ApiResponse res;
  res.status = 204;
  return res;
}

}  // namespace thrad
