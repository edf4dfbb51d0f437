// The one handler behind the AWS-compatible listener (:4566). JSON protocols
// name their operation in X-Amz-Target ("Kinesis_20131202.PutRecord",
// "DynamoDB_20120810.GetItem"); the part before the '.' picks the service
// handler. Requests without X-Amz-Target are S3 REST calls and go to the REST
// fallback. Anything unclaimed gets AWS JSON UnknownOperationException (400).
//
// Thread safety: Register*/SetRestFallback before the server starts; Handle()
// from any thread after.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "gateway/http.h"

namespace gateway {

class AwsDispatcher {
 public:
  // `prefix` is the X-Amz-Target service part, e.g. "Kinesis_20131202".
  // AlreadyExists when the prefix is taken.
  common::Status Register(std::string prefix, Handler handler);
  // A REST-JSON service addressed by path (Lambda's "/2015-03-31/"): requests
  // without X-Amz-Target whose path starts with `path_prefix` go to `handler`
  // instead of the S3 fallback. (A bucket with that very name is shadowed.)
  // AlreadyExists when the prefix is taken; InvalidArgument unless it starts
  // and ends with '/'.
  common::Status RegisterRestPath(std::string path_prefix, Handler handler);
  // A Query-protocol service (IAM, STS) addressed by the SigV4 credential
  // scope's service name: requests without X-Amz-Target signed for `service`
  // go to `handler`. AlreadyExists when the name is taken.
  common::Status RegisterScopeService(std::string service, Handler handler);
  // Runs before routing, on every request: a Response to send instead (the
  // caller is not authenticated or not allowed), or nullopt to go on. Set by
  // the composition root to iam's authorizer.
  using Guard = std::function<std::optional<Response>(Request&)>;
  void SetGuard(Guard guard) { guard_ = std::move(guard); }
  // The S3 REST handler (requests without X-Amz-Target). With
  // `streams_puts`, its PUT requests get Request::body_stream (object
  // uploads of any size) instead of a body in memory.
  void SetRestFallback(Handler handler, bool streams_puts = false) {
    rest_fallback_ = std::move(handler);
    rest_fallback_streams_puts_ = streams_puts;
  }
  // For ListenerOptions::stream_body: true for the requests that would reach
  // a streaming REST fallback as PUTs.
  bool StreamsBody(const Request& head) const;

  // Routes the request; sets request.route to "aws:<prefix>" (or "aws:rest",
  // "aws:unknown") for metrics.
  void Handle(Request& request, Respond respond) const;
  Handler AsHandler() const {
    return [this](Request& request, Respond respond) { Handle(request, std::move(respond)); };
  }

  // AWS JSON error shape: {"__type": type, "message": message}.
  static Response JsonError(int status, std::string_view type, std::string_view message,
                            std::string_view request_id);

 private:
  std::map<std::string, Handler, std::less<>> services_;
  std::map<std::string, Handler, std::less<>> rest_paths_;
  std::map<std::string, Handler, std::less<>> scope_services_;
  Handler rest_fallback_;
  Guard guard_;
  bool rest_fallback_streams_puts_ = false;
};

}  // namespace gateway
