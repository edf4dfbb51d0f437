// Enhanced fan-out: stream consumers (RegisterStreamConsumer & co.) and
// SubscribeToShard subscriptions that push records over an HTTP/2 event
// stream as soon as they are durable.
//
// A subscription is a gateway::BodySource: the HTTP/2 connection pulls an
// event when flow control lets it send, and the subscription then reads the
// shard (GetRecords from its own iterator). Between pulls it holds no
// records, only a "new records" flag set by the engine's commit-thread
// callback, so a slow consumer never slows writers or other consumers and
// never grows memory: it simply reads further behind. It ends after 5
// minutes, at a closed shard's end (with ChildShards), when another
// subscription for the same consumer and shard takes over (allowed 5 s after
// it started; before that the newcomer gets ResourceInUseException), or when
// the connection goes away. An empty event is sent every 5 s while idle.
//
// Consumers are kept in memory (lost on restart; TODO(h2): persist them with
// the stream metadata). Thread safety: every ConsumerRegistry method may be
// called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aws/kinesis/responses.h"
#include "common/clock.h"
#include "common/status.h"
#include "gateway/http.h"
#include "stream/stream_engine.h"

namespace aws::kinesis {

struct ConsumerInfo {
  std::string name;
  std::string arn;  // <stream ARN>/consumer/<name>:<creation epoch seconds>
  std::string stream_arn;
  int64_t creation_millis = 0;
};

class ShardSubscription;

class ConsumerRegistry {
 public:
  static constexpr int kMaxConsumersPerStream = 20;
  static constexpr int64_t kSubscriptionMillis = 5 * 60 * 1000;
  static constexpr int64_t kTakeoverMillis = 5000;
  static constexpr int64_t kHeartbeatMillis = 5000;

  // `engine` and `clock` must outlive the registry and its subscriptions.
  ConsumerRegistry(stream::StreamEngine* engine, common::Clock* clock);
  ~ConsumerRegistry();  // stops the ticker; live subscriptions end on their own

  // NotFound (no such stream), ResourceInUse (name taken), LimitExceeded.
  common::Result<ConsumerInfo> Register(const std::string& stream_arn, const std::string& name);
  // By consumer ARN, or by stream ARN + name. NotFound when unknown.
  common::Result<ConsumerInfo> Describe(const std::string& stream_arn, const std::string& name,
                                        const std::string& consumer_arn);
  common::Result<std::vector<ConsumerInfo>> List(const std::string& stream_arn);
  common::Status Deregister(const std::string& stream_arn, const std::string& name, const std::string& consumer_arn);

  // Starts a subscription (the body of SubscribeToShard's 200 answer).
  // NotFound (consumer, stream or shard), ResourceInUse (a subscription of
  // this consumer to this shard started less than 5 s ago), InvalidArgument.
  common::Result<std::shared_ptr<gateway::BodySource>> Subscribe(const std::string& consumer_arn,
                                                                 const stream::IteratorRequest& start, Wire wire);

 private:
  void TickLoop();

  stream::StreamEngine* engine_;
  common::Clock* clock_;
  std::mutex mu_;
  std::map<std::string, ConsumerInfo> consumers_;  // by ARN; guarded by mu_
  // "<consumer ARN>|<shard id>" -> the live subscription; guarded by mu_
  std::map<std::string, std::weak_ptr<ShardSubscription>> active_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread ticker_;
};

}  // namespace aws::kinesis
