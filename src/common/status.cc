#include "common/status.h"

namespace common {

std::string_view CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "OK";
    case Status::Code::kNotFound: return "NotFound";
    case Status::Code::kInvalidArgument: return "InvalidArgument";
    case Status::Code::kConditionFailed: return "ConditionFailed";
    case Status::Code::kThrottled: return "Throttled";
    case Status::Code::kPermissionDenied: return "PermissionDenied";
    case Status::Code::kCorruption: return "Corruption";
    case Status::Code::kIOError: return "IOError";
    case Status::Code::kInternal: return "Internal";
    case Status::Code::kAlreadyExists: return "AlreadyExists";
    case Status::Code::kResourceInUse: return "ResourceInUse";
    case Status::Code::kLimitExceeded: return "LimitExceeded";
    case Status::Code::kExpired: return "Expired";
    case Status::Code::kUnauthenticated: return "Unauthenticated";
    case Status::Code::kUnavailable: return "Unavailable";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(CodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message_;
  return Status(code_, std::move(msg));
}

}  // namespace common
