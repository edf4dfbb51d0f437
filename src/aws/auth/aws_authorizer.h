// The one gate of the AWS endpoint (:4566): every request is authenticated
// (SigV4, from the Authorization header or a presigned query) and authorized
// (the principal's policies for the operation's action and resource) here,
// before any service handler runs. Failures answer in the shape of the
// request's protocol: AWS JSON `__type` for Kinesis and DynamoDB, REST JSON
// with X-Amzn-ErrorType for Lambda, S3's XML <Error>, IAM's XML
// <ErrorResponse>. Each decision is written to the audit log (logger
// "audit": principal, action, resource, decision; never a secret).
//
// Thread safety: Check() may run on any thread concurrently.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "aws/auth/aws_actions.h"
#include "common/clock.h"
#include "gateway/http.h"
#include "iam/identity_store.h"
#include "iam/sigv4.h"

namespace aws::auth {

struct AuthorizerOptions {
  // false: `iam.auth = "off"`, every request runs as the root account
  // (for local experiments only).
  bool enabled = true;
  int64_t max_skew_millis = 15 * 60 * 1000;
  // Also log allowed requests to the audit log (denials are always logged).
  bool audit_allowed = false;
  ArnScope scope;  // account and the table key lookup; region comes from each request
  // Called for every denial (metrics: rivulet_iam_denials_total); may be empty.
  std::function<void(const std::string& principal_arn, const std::string& action)> on_denied;
};

class AwsAuthorizer {
 public:
  AwsAuthorizer(iam::IdentityStore* store, common::Clock* clock, AuthorizerOptions options);

  // nullopt: the request may proceed, and request.principal_arn/principal_id
  // name the caller. Otherwise the error response to send.
  std::optional<gateway::Response> Check(gateway::Request& request);

  uint64_t denied() const { return denied_.load(std::memory_order_relaxed); }
  uint64_t unauthenticated() const { return unauthenticated_.load(std::memory_order_relaxed); }

 private:
  iam::IdentityStore* store_;
  common::Clock* clock_;
  AuthorizerOptions options_;
  iam::SigningKeyCache keys_;
  std::atomic<uint64_t> denied_{0}, unauthenticated_{0};
};

// What went wrong, independent of the protocol's words for it.
enum class AuthFailure {
  kMissing,           // no Authorization header or presigned query
  kMalformed,         // IncompleteSignature / AuthorizationHeaderMalformed
  kUnknownKey,        // UnrecognizedClient / InvalidAccessKeyId / InvalidClientTokenId
  kBadSignature,      // InvalidSignature / SignatureDoesNotMatch
  kSkewed,            // signature expired / RequestTimeTooSkewed
  kExpired,           // presigned URL past X-Amz-Expires
  kContentMismatch,   // S3: x-amz-content-sha256 differs from the body
  kDenied,            // AccessDenied
};

// The error response for `failure` in the protocol's shape.
gateway::Response AuthErrorResponse(Protocol protocol, AuthFailure failure, const std::string& message,
                                    const gateway::Request& request);

// IAM's Query-protocol error: <ErrorResponse><Error><Type>Sender</Type>
// <Code>..</Code><Message>..</Message></Error><RequestId>..</RequestId>.
gateway::Response QueryErrorResponse(int http_status, std::string_view code, std::string_view message,
                                     std::string_view request_id);

}  // namespace aws::auth
