#include "aws/s3/s3_error.h"

#include <algorithm>
#include <array>
#include <utility>

#include "aws/s3/xml.h"

namespace aws::s3 {
namespace {

using Code = common::Status::Code;

struct Known {
  Code code;
  std::string_view name;
  int http_status;
};

// Every S3 error the engine and this adapter name in a message.
constexpr std::array<Known, 26> kKnown = {{
    {Code::kPermissionDenied, "SignatureDoesNotMatch", 403},
    {Code::kNotFound, "NoSuchBucket", 404},
    {Code::kNotFound, "NoSuchKey", 404},
    {Code::kNotFound, "NoSuchUpload", 404},
    {Code::kAlreadyExists, "BucketAlreadyOwnedByYou", 409},
    {Code::kAlreadyExists, "BucketAlreadyExists", 409},
    {Code::kResourceInUse, "BucketNotEmpty", 409},
    {Code::kInvalidArgument, "InvalidRange", 416},
    {Code::kInvalidArgument, "InvalidPart", 400},
    {Code::kInvalidArgument, "InvalidPartOrder", 400},
    {Code::kInvalidArgument, "EntityTooSmall", 400},
    {Code::kInvalidArgument, "BadDigest", 400},
    {Code::kInvalidArgument, "XAmzContentSHA256Mismatch", 400},
    {Code::kInvalidArgument, "InvalidDigest", 400},
    {Code::kInvalidArgument, "MalformedXML", 400},
    {Code::kInvalidArgument, "InvalidBucketName", 400},
    {Code::kInvalidArgument, "KeyTooLongError", 400},
    {Code::kInvalidArgument, "InvalidRequest", 400},
    {Code::kInvalidArgument, "InvalidArgument", 400},
    {Code::kInvalidArgument, "IncompleteBody", 400},
    {Code::kInvalidArgument, "MissingContentLength", 411},
    {Code::kLimitExceeded, "EntityTooLarge", 400},
    {Code::kLimitExceeded, "MetadataTooLarge", 400},
    {Code::kConditionFailed, "PreconditionFailed", 412},
    {Code::kConditionFailed, "NotModified", 304},
    {Code::kInternal, "NotImplemented", 501},
}};

// The S3 error for a Status code when the message names none.
std::pair<std::string_view, int> Default(Code code) {
  switch (code) {
    case Code::kNotFound: return {"NoSuchKey", 404};
    case Code::kInvalidArgument: return {"InvalidArgument", 400};
    case Code::kConditionFailed: return {"PreconditionFailed", 412};
    case Code::kThrottled: return {"SlowDown", 503};
    case Code::kPermissionDenied: return {"AccessDenied", 403};
    case Code::kUnauthenticated: return {"InvalidAccessKeyId", 403};
    case Code::kExpired: return {"AccessDenied", 403};
    case Code::kAlreadyExists: return {"BucketAlreadyOwnedByYou", 409};
    case Code::kResourceInUse: return {"BucketNotEmpty", 409};
    case Code::kLimitExceeded: return {"EntityTooLarge", 400};
    case Code::kUnavailable: return {"ServiceUnavailable", 503};
    default: return {"InternalError", 500};
  }
}

}  // namespace

S3Error ErrorFromStatus(const common::Status& status) {
  std::string_view msg = status.message();
  size_t colon = msg.find(": ");
  if (colon != std::string_view::npos) {
    std::string_view word = msg.substr(0, colon);
    auto it = std::find_if(kKnown.begin(), kKnown.end(),
                           [&](const Known& k) { return k.code == status.code() && k.name == word; });
    if (it != kKnown.end()) return {it->http_status, std::string(it->name), std::string(msg.substr(colon + 2))};
  }
  auto [name, http] = Default(status.code());
  // Internal failures keep their detail in the log, not on the wire.
  if (http == 500) return {500, std::string(name), "We encountered an internal error. Please try again."};
  return {http, std::string(name), std::string(msg)};
}

gateway::Response ErrorResponse(const S3Error& error, std::string_view resource, std::string_view request_id,
                                bool head) {
  gateway::Response r;
  r.status = error.http_status;
  r.headers.Add("x-amz-request-id", std::string(request_id));
  if (head || error.http_status == 304) return r;
  r.headers.Add("Content-Type", "application/xml");
  XmlWriter w;
  w.Open("Error").Text("Code", error.code).Text("Message", error.message).Text("Resource", resource);
  w.Text("RequestId", request_id).Close("Error");
  r.body = w.Take();
  return r;
}

}  // namespace aws::s3
