// The Kinesis Data Streams wire adapter: a gateway::Handler for
// `POST /` with `X-Amz-Target: Kinesis_20131202.<Operation>` and an
// application/x-amz-json-1.1 body. It parses and validates the request like
// AWS (requests.h), calls the StreamEngine, and writes AWS's response shape;
// every failure leaves through one Status -> AwsError mapping.
//
// PutRecord(s) answer from the engine's durability callback (after the group
// commit's fsync), never blocking the I/O thread. Other operations call the
// engine inline: they read from the page cache or write small metadata.
//
// Enhanced fan-out (consumers.h): RegisterStreamConsumer & co., and
// SubscribeToShard, which answers over HTTP/2 with an event stream.
//
// Thread safety: Handle() may run on any number of threads at once; the
// handler's only state is the consumer registry (thread-safe).
#pragma once

#include <memory>
#include <string_view>

#include "aws/common/aws_error.h"
#include "aws/kinesis/consumers.h"
#include "common/clock.h"
#include "common/status.h"
#include "gateway/http.h"
#include "stream/stream_engine.h"

namespace aws::kinesis {

inline constexpr std::string_view kTargetPrefix = "Kinesis_20131202";
inline constexpr std::string_view kContentType = "application/x-amz-json-1.1";
inline constexpr std::string_view kCborContentType = "application/x-amz-cbor-1.1";

// The one mapping from engine Status codes to Kinesis exceptions.
AwsError StatusToAwsError(const common::Status& status);

class KinesisHandler {
 public:
  // `engine` and `clock` must outlive the handler; clock nullptr = system.
  explicit KinesisHandler(stream::StreamEngine* engine, common::Clock* clock = nullptr);
  ~KinesisHandler();

  void Handle(gateway::Request& request, gateway::Respond respond) const;
  gateway::Handler AsHandler() const {
    return [this](gateway::Request& request, gateway::Respond respond) { Handle(request, std::move(respond)); };
  }

 private:
  stream::StreamEngine* engine_;
  common::Clock* clock_;
  std::unique_ptr<ConsumerRegistry> consumers_;  // enhanced fan-out
};

}  // namespace aws::kinesis
