// Signing for the remote clients: the request shape they build (decoded
// query pairs, headers to sign) turned into iam/sigv4.h's view, so the
// signing math is the one Rivulet's verifier uses (one implementation,
// checked against AWS's test vectors on both sides).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aws::remote {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" unless temporary credentials
};

struct SignableRequest {
  std::string method;  // "POST"
  std::string path;    // already URI-encoded as sent on the wire: "/bucket/my%20key"
  // Decoded query parameters; they are encoded as QueryString() sends them.
  std::vector<std::pair<std::string, std::string>> query;
  // Headers to sign (host must be among them). Names in any case.
  std::vector<std::pair<std::string, std::string>> headers;
  // Lower-case hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
  std::string payload_hash;
};

struct SigningScope {
  std::string amz_date;  // "20150830T123600Z"
  std::string region;    // "us-east-1"
  std::string service;   // "kinesis", "dynamodb", "s3"
};

// "a=1&b=x%20y": the query as sent on the wire (and signed).
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& query);

// The complete Authorization header value for `request` (S3's path rules for
// service "s3").
std::string AuthorizationHeader(const Credentials& credentials, const SigningScope& scope,
                                const SignableRequest& request);

// "20150830T123600Z" for the current UTC time.
std::string AmzDateNow();

}  // namespace aws::remote
