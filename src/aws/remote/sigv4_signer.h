// SigV4 request signing for the remote clients (Kinesis, DynamoDB, S3 over
// HTTP). Follows AWS's "Signature Version 4" documentation: canonical
// request, string to sign, derived signing key, Authorization header.
//
// The signing math (SigningKey, Signature) is the same that a verifier
// computes; it is kept free of I/O so both sides and the published test
// vectors can share it.
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
  // Decoded query parameters; the signer encodes and sorts them.
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

// The canonical request of AWS's step 1 (exposed for tests and debugging).
std::string CanonicalRequest(const SignableRequest& request);
// AWS's step 2.
std::string StringToSign(const SigningScope& scope, std::string_view canonical_request);
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);
// Lower-case hex HMAC-SHA256 of `string_to_sign` under `signing_key`.
std::string Signature(std::string_view signing_key, std::string_view string_to_sign);

// The complete Authorization header value for `request`.
std::string AuthorizationHeader(const Credentials& credentials, const SigningScope& scope,
                                const SignableRequest& request);

// URI-encodes per SigV4 (unreserved characters kept; '/' kept when
// `keep_slash`, for S3 object paths).
std::string UriEncode(std::string_view text, bool keep_slash);
// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// "20150830T123600Z" for the current UTC time.
std::string AmzDateNow();

}  // namespace aws::remote
