#include "aws/kinesis/consumers.h"

#include <chrono>
#include <functional>

#include "aws/common/cbor.h"
#include "aws/common/json_writer.h"
#include "aws/kinesis/kinesis_handler.h"
#include "eventstream/event_stream.h"

namespace aws::kinesis {

using common::Result;
using common::Status;

namespace {

// Records per event: what one GetRecords returns at most.
constexpr int kRecordsPerEvent = 10000;

template <class W>
std::string EventPayload(const stream::GetRecordsResult& result, const std::string& continuation, bool closed) {
  size_t bytes = 128;
  for (const auto& r : result.records) bytes += r.data.size() * 4 / 3 + r.partition_key.size() + 128;
  W w(bytes);
  w.BeginObject().Key("Records").BeginArray();
  for (const auto& record : result.records) {
    w.BeginObject().Key("SequenceNumber").PlainString(record.sequence_number);
    w.Key("ApproximateArrivalTimestamp").EpochSeconds(record.arrival_millis);
    w.Key("Data").Base64(record.data);
    w.Field("PartitionKey", record.partition_key);
    w.EndObject();
  }
  w.EndArray();
  // At a closed shard's end there is no continuation, only the children.
  if (!closed && !continuation.empty()) w.Field("ContinuationSequenceNumber", continuation);
  w.Field("MillisBehindLatest", result.millis_behind_latest);
  if (closed) {
    w.Key("ChildShards").BeginArray();
    for (const auto& child : result.child_shards) {
      w.BeginObject().Field("ShardId", child.shard_id).Key("ParentShards").BeginArray();
      for (const auto& parent : child.parent_shards) w.String(parent);
      w.EndArray().Key("HashKeyRange").BeginObject();
      w.Field("StartingHashKey", child.hash_key_range.starting_hash_key);
      w.Field("EndingHashKey", child.hash_key_range.ending_hash_key);
      w.EndObject().EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return w.Take();
}

template <class W>
std::string MessagePayload(const std::string& message) {
  W w;
  w.BeginObject().Field("message", message).EndObject();
  return w.Take();
}

}  // namespace

// One SubscribeToShard. Read/Cancel run on the connection's thread;
// OnNewRecords on the engine's commit thread; Tick on the registry's ticker.
class ShardSubscription : public gateway::BodySource, public std::enable_shared_from_this<ShardSubscription> {
 public:
  ShardSubscription(stream::StreamEngine* engine, common::Clock* clock, std::string shard_id, std::string iterator,
                    std::string continuation, Wire wire)
      : engine_(engine), clock_(clock), shard_id_(std::move(shard_id)), iterator_(std::move(iterator)),
        continuation_(std::move(continuation)), wire_(wire), started_ms_(clock->NowMillis()) {
    last_sent_ms_ = started_ms_;
  }

  void set_engine_subscription(std::unique_ptr<stream::Subscription> s) { engine_sub_ = std::move(s); }
  int64_t started_ms() const { return started_ms_; }

  Pull Read(size_t max, std::string* out) override {
    if (!initial_sent_) {
      initial_sent_ = true;
      eventstream::AppendEvent("initial-response", ContentType(), wire_ == Wire::kCbor ? "\xa0" : "{}", out);
      return Pull::kData;
    }
    int64_t now = clock_->NowMillis();
    {
      std::lock_guard lock(mu_);
      if (cancelled_ || ended_) return Pull::kEnd;
      notified_ = false;
    }
    if (now - started_ms_ >= ConsumerRegistry::kSubscriptionMillis) return Pull::kEnd;
    for (;;) {
      auto result = engine_->GetRecords(iterator_, kRecordsPerEvent);
      if (!result.ok()) {
        // The stream was deleted, the shard trimmed away...: an exception
        // event ends the subscription (the SDK raises it from the iterator).
        AwsError error = StatusToAwsError(result.status());
        std::string payload = wire_ == Wire::kCbor ? MessagePayload<cbor::Writer>(error.message)
                                                   : MessagePayload<JsonWriter>(error.message);
        eventstream::AppendException(error.type, ContentType(), payload, out);
        return Pull::kEnd;
      }
      bool closed = result->next_shard_iterator.empty();
      bool heartbeat = now - last_sent_ms_ >= ConsumerRegistry::kHeartbeatMillis;
      if (!result->records.empty() || closed || heartbeat) {
        if (!result->records.empty()) continuation_ = result->records.back().sequence_number;
        if (!closed) iterator_ = result->next_shard_iterator;
        std::string payload = wire_ == Wire::kCbor ? EventPayload<cbor::Writer>(*result, continuation_, closed)
                                                   : EventPayload<JsonWriter>(*result, continuation_, closed);
        eventstream::AppendEvent("SubscribeToShardEvent", ContentType(), payload, out);
        last_sent_ms_ = now;
        return closed ? Pull::kEnd : Pull::kData;
      }
      iterator_ = result->next_shard_iterator;
      std::lock_guard lock(mu_);
      if (notified_) {  // records became durable while we read: read again
        notified_ = false;
        continue;
      }
      waiting_ = true;
      return Pull::kWait;
    }
  }

  void SetWaker(std::function<void()> wake) override {
    std::lock_guard lock(mu_);
    waker_ = std::move(wake);
  }

  void Cancel() override {
    std::unique_ptr<stream::Subscription> sub;
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
      waker_ = nullptr;
      sub = std::move(engine_sub_);
    }
  }

  // Engine commit thread: cheap, never blocks on the consumer.
  void OnNewRecords(const std::string& shard_id) {
    if (shard_id != shard_id_) return;
    Wake(/*notify=*/true);
  }

  // Ticker: heartbeats and the 5-minute end need a pull while idle.
  void Tick(int64_t now) {
    bool due;
    {
      std::lock_guard lock(mu_);
      due = now - last_sent_ms_ >= ConsumerRegistry::kHeartbeatMillis ||
            now - started_ms_ >= ConsumerRegistry::kSubscriptionMillis;
    }
    if (due) Wake(false);
  }

  // A newer subscription took over: end after what is being sent.
  void End() {
    {
      std::lock_guard lock(mu_);
      ended_ = true;
    }
    Wake(false);
  }

  bool alive() {
    std::lock_guard lock(mu_);
    return !cancelled_ && !ended_;
  }

 private:
  std::string_view ContentType() const { return wire_ == Wire::kCbor ? kCborContentType : "application/json"; }

  void Wake(bool notify) {
    std::function<void()> waker;
    {
      std::lock_guard lock(mu_);
      if (notify) notified_ = true;
      if (!waiting_ || !waker_) return;
      waiting_ = false;
      waker = waker_;
    }
    waker();
  }

  stream::StreamEngine* engine_;
  common::Clock* clock_;
  const std::string shard_id_;
  std::string iterator_;      // connection thread only
  std::string continuation_;  // connection thread only
  const Wire wire_;
  const int64_t started_ms_;
  bool initial_sent_ = false;  // connection thread only
  std::mutex mu_;
  int64_t last_sent_ms_;  // written on the connection thread, read by Tick (benign: a late heartbeat)
  std::function<void()> waker_;  // guarded by mu_
  bool waiting_ = false;         // Read returned kWait and no wake since; guarded by mu_
  bool notified_ = false;        // records arrived since the last read; guarded by mu_
  bool cancelled_ = false;       // guarded by mu_
  bool ended_ = false;           // guarded by mu_
  std::unique_ptr<stream::Subscription> engine_sub_;  // guarded by mu_
};

ConsumerRegistry::ConsumerRegistry(stream::StreamEngine* engine, common::Clock* clock)
    : engine_(engine), clock_(clock) {
  ticker_ = std::thread([this] { TickLoop(); });
}

ConsumerRegistry::~ConsumerRegistry() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  ticker_.join();
}

void ConsumerRegistry::TickLoop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(500));
    std::vector<std::shared_ptr<ShardSubscription>> live;
    for (auto it = active_.begin(); it != active_.end();) {
      if (auto sub = it->second.lock()) {
        live.push_back(std::move(sub));
        ++it;
      } else {
        it = active_.erase(it);
      }
    }
    lock.unlock();
    int64_t now = clock_->NowMillis();
    for (auto& sub : live) sub->Tick(now);
    live.clear();
    lock.lock();
  }
}

Result<ConsumerInfo> ConsumerRegistry::Register(const std::string& stream_arn, const std::string& name) {
  ASSIGN_OR_RETURN(std::string stream_name, stream::StreamEngine::ResolveStreamName(stream_arn));
  ASSIGN_OR_RETURN(stream::StreamDescription d, engine_->DescribeStream(stream_name));
  std::lock_guard lock(mu_);
  int count = 0;
  for (const auto& [arn, c] : consumers_) {
    if (c.stream_arn != d.stream_arn) continue;
    if (c.name == name) return Status::ResourceInUse("Consumer " + c.arn + " already exists");
    ++count;
  }
  if (count >= kMaxConsumersPerStream) {
    return Status::LimitExceeded("Stream " + d.stream_arn + " already has " + std::to_string(count) +
                                 " consumers; the limit is " + std::to_string(kMaxConsumersPerStream));
  }
  ConsumerInfo info;
  info.name = name;
  info.stream_arn = d.stream_arn;
  info.creation_millis = clock_->NowMillis();
  info.arn = d.stream_arn + "/consumer/" + name + ":" + std::to_string(info.creation_millis / 1000);
  consumers_[info.arn] = info;
  return info;
}

Result<ConsumerInfo> ConsumerRegistry::Describe(const std::string& stream_arn, const std::string& name,
                                                const std::string& consumer_arn) {
  std::string stream_name;
  {
    std::lock_guard lock(mu_);
    const ConsumerInfo* found = nullptr;
    for (const auto& [arn, c] : consumers_) {
      if ((!consumer_arn.empty() && arn == consumer_arn) ||
          (consumer_arn.empty() && c.stream_arn == stream_arn && c.name == name)) {
        found = &c;
        break;
      }
    }
    if (found == nullptr) {
      return Status::NotFound("Consumer " + (consumer_arn.empty() ? name : consumer_arn) + " under account 000000000000 not found.");
    }
    ConsumerInfo info = *found;
    auto resolved = stream::StreamEngine::ResolveStreamName(info.stream_arn);
    if (!resolved.ok()) return resolved.status();
    stream_name = *resolved;
    // A consumer of a deleted stream is gone with it.
    if (engine_->DescribeStream(stream_name).ok()) return info;
  }
  std::lock_guard lock(mu_);
  for (auto it = consumers_.begin(); it != consumers_.end();) {
    it = it->second.stream_arn == stream::StreamEngine::StreamArn(stream_name) ? consumers_.erase(it) : std::next(it);
  }
  return Status::NotFound("Consumer " + (consumer_arn.empty() ? name : consumer_arn) + " under account 000000000000 not found.");
}

Result<std::vector<ConsumerInfo>> ConsumerRegistry::List(const std::string& stream_arn) {
  ASSIGN_OR_RETURN(std::string stream_name, stream::StreamEngine::ResolveStreamName(stream_arn));
  ASSIGN_OR_RETURN(stream::StreamDescription d, engine_->DescribeStream(stream_name));
  std::lock_guard lock(mu_);
  std::vector<ConsumerInfo> out;
  for (const auto& [arn, c] : consumers_) {
    if (c.stream_arn == d.stream_arn) out.push_back(c);
  }
  return out;
}

Status ConsumerRegistry::Deregister(const std::string& stream_arn, const std::string& name,
                                    const std::string& consumer_arn) {
  ASSIGN_OR_RETURN(ConsumerInfo info, Describe(stream_arn, name, consumer_arn));
  std::lock_guard lock(mu_);
  consumers_.erase(info.arn);
  // Its subscriptions end with it.
  for (auto& [key, weak] : active_) {
    if (key.compare(0, info.arn.size() + 1, info.arn + "|") != 0) continue;
    if (auto sub = weak.lock()) sub->End();
  }
  return Status::OK();
}

Result<std::shared_ptr<gateway::BodySource>> ConsumerRegistry::Subscribe(const std::string& consumer_arn,
                                                                         const stream::IteratorRequest& start,
                                                                         Wire wire) {
  ASSIGN_OR_RETURN(ConsumerInfo consumer, Describe("", "", consumer_arn));
  ASSIGN_OR_RETURN(std::string stream_name, stream::StreamEngine::ResolveStreamName(consumer.stream_arn));
  stream::IteratorRequest request = start;
  request.stream_name = stream_name;
  std::string key = consumer.arn + "|" + start.shard_id;
  int64_t now = clock_->NowMillis();
  std::shared_ptr<ShardSubscription> previous;
  {
    std::lock_guard lock(mu_);
    auto it = active_.find(key);
    if (it != active_.end()) previous = it->second.lock();
  }
  if (previous && previous->alive()) {
    if (now - previous->started_ms() < kTakeoverMillis) {
      return Status::ResourceInUse("Another active subscription exists for this consumer: " + consumer.arn +
                                   " on shard " + start.shard_id);
    }
  }
  ASSIGN_OR_RETURN(std::string iterator, engine_->GetShardIterator(request));
  std::string continuation =
      start.type == stream::IteratorType::kAtSequenceNumber || start.type == stream::IteratorType::kAfterSequenceNumber
          ? start.sequence_number : "";
  auto sub = std::make_shared<ShardSubscription>(engine_, clock_, start.shard_id, std::move(iterator),
                                                 std::move(continuation), wire);
  std::weak_ptr<ShardSubscription> weak = sub;
  ASSIGN_OR_RETURN(auto engine_sub, engine_->Subscribe(stream_name, [weak](const std::string& shard_id) {
                     if (auto s = weak.lock()) s->OnNewRecords(shard_id);
                   }));
  sub->set_engine_subscription(std::move(engine_sub));
  {
    std::lock_guard lock(mu_);
    active_[key] = sub;
  }
  if (previous) previous->End();  // the takeover: the old one ends after its current event
  return std::shared_ptr<gateway::BodySource>(sub);
}

}  // namespace aws::kinesis
