// AwsHttp: one AWS service endpoint reached over HTTP(S) with libcurl. Signs
// every request with SigV4, reuses connections (a pool of curl handles, each
// keeping its connection alive), and retries what the AWS SDKs retry:
// transport failures, 5xx, 429 and throttling errors, with capped
// exponential backoff and full jitter. Other errors come back as responses
// for the protocol client to translate.
//
// Thread safety: Send() may be called from any thread concurrently; calls
// block until the response (or the last retry) arrives.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aws/remote/sigv4_signer.h"
#include "common/idle_pool.h"
#include "common/status.h"

namespace aws::remote {

struct EndpointOptions {
  std::string url;      // "http://127.0.0.1:4566" or "https://kinesis.eu-west-1.amazonaws.com"
  std::string region;   // "us-east-1"
  std::string service;  // signing name: "kinesis", "dynamodb", "s3"
  Credentials credentials;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{10000};
  int max_attempts = 5;  // first try included
  std::chrono::milliseconds base_backoff{50};
  std::chrono::milliseconds max_backoff{5000};
};

struct HttpRequest {
  std::string method = "POST";
  std::string path = "/";  // URI-encoded as sent
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower case
  std::string body;

  const std::string* Header(std::string_view name) const;
};

// Counters for /metrics, by endpoint.
struct RemoteCallStats {
  std::atomic<uint64_t> calls{0};     // Send() calls
  std::atomic<uint64_t> attempts{0};  // HTTP exchanges, retries included
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> failures{0};  // Send() calls that gave up or hit a transport error
};

// The AWS error code of an error response: x-amzn-ErrorType, JSON "__type"
// (without its "namespace#" prefix) or S3 XML <Code>; "" when none.
std::string ErrorCode(const HttpResponse& response);
// True for the error codes the AWS SDKs treat as throttling.
bool IsThrottlingCode(std::string_view code);

class AwsHttp {
 public:
  explicit AwsHttp(EndpointOptions options);
  ~AwsHttp();
  AwsHttp(const AwsHttp&) = delete;
  AwsHttp& operator=(const AwsHttp&) = delete;

  // Sends `request` (adds Host, X-Amz-Date, X-Amz-Content-Sha256,
  // X-Amz-Security-Token and Authorization). Returns the final response,
  // which may be an AWS error; Unavailable when every attempt failed in
  // transport or with a retryable error (the message says which and how
  // often).
  common::Result<HttpResponse> Send(const HttpRequest& request);

  // Aborts calls in flight and fails later ones at once (shutdown: nothing
  // should wait for a slow or unreachable service then).
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }

  const EndpointOptions& options() const { return options_; }
  const RemoteCallStats& stats() const { return stats_; }

 private:
  struct Handle;
  std::unique_ptr<Handle> Acquire();
  common::Result<HttpResponse> SendOnce(Handle* handle, const HttpRequest& request);

  const EndpointOptions options_;
  std::string host_;  // host[:port] as the Host header carries it
  RemoteCallStats stats_;
  std::atomic<bool> cancelled_{false};
  common::IdlePool<Handle> idle_;
};

}  // namespace aws::remote
