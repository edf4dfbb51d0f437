// The error shape of AWS JSON protocols (Kinesis JSON 1.1, DynamoDB JSON 1.0):
//   HTTP 400  {"__type":"ResourceNotFoundException","message":"..."}
// Adapters turn every failure into one AwsError and answer with
// JsonErrorResponse; nothing else writes an error body.
#pragma once

#include <string>
#include <string_view>

#include "gateway/http.h"

namespace aws {

struct AwsError {
  int http_status = 400;
  std::string type;     // "ValidationException"
  std::string message;  // may be empty: then no "message" member is sent
};

// `content_type` is the protocol's ("application/x-amz-json-1.1").
// `request_id` is echoed in x-amzn-RequestId as AWS does.
gateway::Response JsonErrorResponse(const AwsError& error, std::string_view content_type,
                                    std::string_view request_id);

// A successful JSON answer with AWS's headers.
gateway::Response JsonResponse(std::string body, std::string_view content_type, std::string_view request_id);

}  // namespace aws
