#include "common/status.h"

namespace thrad {

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      name = "Invalid argument";
      break;
    case StatusCode::kNotFound:
      name = "Not found";
      break;
    case StatusCode::kAlreadyExists:
      name = "Already exists";
      break;
    case StatusCode::kPermissionDenied:
      name = "Permission denied";
      break;
    case StatusCode::kUnavailable:
      name = "Unavailable";
      break;
    case StatusCode::kIoError:
      name = "IO error";
      break;
    case StatusCode::kCorruption:
      name = "Corruption";
      break;
    case StatusCode::kInternal:
      name = "Internal";
      break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace thrad
