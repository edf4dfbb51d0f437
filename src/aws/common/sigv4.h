// Parsing of the SigV4 `Authorization` header that every AWS SDK and the CLI
// send:
//   AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request,
//     SignedHeaders=content-type;host;x-amz-date, Signature=<64 hex digits>
// The adapters parse it to learn the caller's identity and credential scope;
// verifying the signature belongs to iam/ (it needs the secret key).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace aws {

struct SigV4Authorization {
  std::string access_key_id;
  std::string date;     // credential scope date, "YYYYMMDD"
  std::string region;   // "us-east-1"
  std::string service;  // "kinesis", "dynamodb", "s3"
  std::vector<std::string> signed_headers;  // lower case, as listed
  std::string signature;                    // lower-case hex
};

// Parses an `Authorization` header value. InvalidArgument with a message in
// AWS's IncompleteSignatureException wording when a part is missing or
// malformed; NotFound when the header is empty (AWS: "Missing
// Authentication Token").
common::Result<SigV4Authorization> ParseSigV4Authorization(std::string_view header);

}  // namespace aws
