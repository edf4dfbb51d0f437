// S3's error shape and the one mapping from common::Status to it:
//   HTTP 404  <Error><Code>NoSuchKey</Code><Message>...</Message>
//             <Resource>/bucket/key</Resource><RequestId>...</RequestId></Error>
// The engine names the S3 code as the first word of the message where one
// Status code covers several (see objects/object_client.h).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "gateway/http.h"

namespace aws::s3 {

struct S3Error {
  int http_status = 500;
  std::string code;     // "NoSuchKey"
  std::string message;  // for a person
};

S3Error ErrorFromStatus(const common::Status& status);

// The XML error response (no body for HEAD and 304, as S3 does).
gateway::Response ErrorResponse(const S3Error& error, std::string_view resource,
                                std::string_view request_id, bool head);

}  // namespace aws::s3
