#include "aws/remote/remote_stream_client.h"

#include <simdjson.h>

#include "aws/common/base64.h"
#include "aws/common/json_writer.h"
#include "aws/remote/json_reply.h"

namespace aws::remote {
namespace {

using common::Result;
using common::Status;

int64_t Int(simdjson::dom::element element, std::string_view key) {
  int64_t i = 0;
  if (element[key].get(i) == simdjson::SUCCESS) return i;
  double d = 0;
  if (element[key].get(d) == simdjson::SUCCESS) return static_cast<int64_t>(d);
  return 0;
}

// AWS JSON timestamps are epoch seconds with a fraction.
int64_t EpochMillis(simdjson::dom::element element, std::string_view key) {
  double seconds = 0;
  if (element[key].get(seconds) == simdjson::SUCCESS) return static_cast<int64_t>(seconds * 1000.0 + 0.5);
  return 0;
}

stream::HashKeyRange ParseRange(simdjson::dom::element element) {
  simdjson::dom::element range;
  if (element["HashKeyRange"].get(range) != simdjson::SUCCESS) return {};
  return {std::string(Str(range, "StartingHashKey")), std::string(Str(range, "EndingHashKey"))};
}

std::string IteratorTypeName(stream::IteratorType type) {
  switch (type) {
    case stream::IteratorType::kTrimHorizon: return "TRIM_HORIZON";
    case stream::IteratorType::kLatest: return "LATEST";
    case stream::IteratorType::kAtSequenceNumber: return "AT_SEQUENCE_NUMBER";
    case stream::IteratorType::kAfterSequenceNumber: return "AFTER_SEQUENCE_NUMBER";
    case stream::IteratorType::kAtTimestamp: return "AT_TIMESTAMP";
  }
  return "TRIM_HORIZON";
}

stream::StreamStatus ParseStatus(std::string_view text) {
  if (text == "CREATING") return stream::StreamStatus::kCreating;
  if (text == "UPDATING") return stream::StreamStatus::kUpdating;
  if (text == "DELETING") return stream::StreamStatus::kDeleting;
  return stream::StreamStatus::kActive;
}

Status EntryStatus(std::string_view code, std::string_view message) {
  std::string text = std::string(code) + ": " + std::string(message);
  if (code == "ProvisionedThroughputExceededException") return Status::Throttled(text);
  if (code == "KMSThrottlingException") return Status::Throttled(text);
  return Status::Internal(text);
}

}  // namespace

Status StatusFromAwsError(const HttpResponse& response, std::string_view service) {
  std::string code = ErrorCode(response);
  std::string message;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(response.body).get(root) == simdjson::SUCCESS) {
    message = std::string(Str(root, "message"));
    if (message.empty()) message = std::string(Str(root, "Message"));
  }
  std::string text = std::string(service) + " " + code + ": " + message;
  if (code == "ResourceNotFoundException" || code == "NoSuchBucket" || code == "NoSuchKey") return Status::NotFound(text);
  if (code == "ResourceInUseException") return Status::ResourceInUse(text);
  if (code == "InvalidArgumentException" || code == "ValidationException" || code == "SerializationException") {
    return Status::InvalidArgument(text);
  }
  if (code == "ConditionalCheckFailedException") return Status::ConditionFailed(text);
  if (code == "ExpiredIteratorException") return Status::Expired(text);
  if (code == "LimitExceededException") return Status::LimitExceeded(text);
  if (IsThrottlingCode(code)) return Status::Throttled(text);
  if (code == "AccessDeniedException" || code == "AccessDenied") return Status::PermissionDenied(text);
  if (code == "UnrecognizedClientException" || code == "InvalidSignatureException" ||
      code == "IncompleteSignatureException" || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch") {
    return Status::Unauthenticated(text);
  }
  if (response.status >= 500) return Status::Unavailable(text);
  return Status::Internal(text + " (HTTP " + std::to_string(response.status) + ")");
}

// Wakes a subscriber for every shard of its stream each poll interval.
class RemoteStreamClient::Poller final : public stream::Subscription {
 public:
  Poller(RemoteStreamClient* client, std::string stream_name, stream::NewRecordsCallback callback)
      : client_(client), stream_name_(std::move(stream_name)), callback_(std::move(callback)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Poller() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Run() {
    using Clock = std::chrono::steady_clock;
    std::vector<std::string> shards;
    auto next_refresh = Clock::now();
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      if (Clock::now() >= next_refresh) {
        // The shard list changes only on resharding; refresh it every few seconds.
        if (auto description = client_->DescribeStream(stream_name_); description.ok()) {
          shards.clear();
          for (const auto& shard : description->shards) shards.push_back(shard.shard_id);
        }
        next_refresh = Clock::now() + std::chrono::seconds(5);
      }
      for (const auto& shard : shards) callback_(shard);
      lock.lock();
      cv_.wait_for(lock, client_->options_.poll_interval, [this] { return stop_; });
    }
  }

  RemoteStreamClient* client_;
  const std::string stream_name_;
  const stream::NewRecordsCallback callback_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

RemoteStreamClient::RemoteStreamClient(RemoteStreamOptions options)
    : options_(std::move(options)), http_(options_.endpoint) {
  for (int i = 0; i < std::max(1, options_.put_threads); ++i) put_threads_.emplace_back([this] { RunPuts(); });
}

RemoteStreamClient::~RemoteStreamClient() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& thread : put_threads_) thread.join();
}

void RemoteStreamClient::RunPuts() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !puts_.empty(); });
    if (puts_.empty()) return;  // stopping, and every queued put ran
    auto put = std::move(puts_.front());
    puts_.pop_front();
    lock.unlock();
    put();
    lock.lock();
  }
}

Result<std::string> RemoteStreamClient::Call(std::string_view operation, std::string body) {
  HttpRequest request;
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", "Kinesis_20131202." + std::string(operation)}};
  request.body = std::move(body);
  ASSIGN_OR_RETURN(HttpResponse response, http_.Send(request));
  if (response.status != 200) return StatusFromAwsError(response, "kinesis");
  return std::move(response.body);
}

Status RemoteStreamClient::CreateStream(const std::string& name, int shard_count, stream::StreamMode mode) {
  JsonWriter json;
  json.BeginObject().Field("StreamName", name);
  if (mode == stream::StreamMode::kOnDemand) {
    json.Key("StreamModeDetails").BeginObject().Field("StreamMode", "ON_DEMAND").EndObject();
  } else {
    json.Field("ShardCount", shard_count);
  }
  json.EndObject();
  RETURN_IF_ERROR(Call("CreateStream", json.Take()).status());
  // Kinesis creates streams asynchronously; our contract is ACTIVE on return.
  for (int i = 0; i < 600; ++i) {
    ASSIGN_OR_RETURN(auto description, DescribeStream(name));
    if (description.status == stream::StreamStatus::kActive) return Status::OK();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::Unavailable("stream " + name + " did not become ACTIVE within 60 s");
}

Status RemoteStreamClient::DeleteStream(const std::string& name) {
  JsonWriter json;
  json.BeginObject().Field("StreamName", name).Field("EnforceConsumerDeletion", true).EndObject();
  {
    std::lock_guard lock(mu_);
    creation_millis_.erase(name);  // a new stream of that name is another stream
  }
  return Call("DeleteStream", json.Take()).status();
}

Result<stream::StreamDescription> RemoteStreamClient::DescribeStream(const std::string& name) {
  simdjson::dom::parser parser;
  stream::StreamDescription out;
  {
    JsonWriter json;
    json.BeginObject().Field("StreamName", name).EndObject();
    ASSIGN_OR_RETURN(std::string text, Call("DescribeStreamSummary", json.Take()));
    ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "kinesis"));
    simdjson::dom::element summary;
    if (root["StreamDescriptionSummary"].get(summary) != simdjson::SUCCESS) {
      return Status::Internal("kinesis DescribeStreamSummary answer has no StreamDescriptionSummary");
    }
    out.stream_name = Str(summary, "StreamName");
    out.stream_arn = Str(summary, "StreamARN");
    out.status = ParseStatus(Str(summary, "StreamStatus"));
    simdjson::dom::element mode;
    if (summary["StreamModeDetails"].get(mode) == simdjson::SUCCESS && Str(mode, "StreamMode") == "ON_DEMAND") {
      out.mode = stream::StreamMode::kOnDemand;
    }
    out.retention_hours = static_cast<int>(Int(summary, "RetentionPeriodHours"));
    out.creation_millis = EpochMillis(summary, "StreamCreationTimestamp");
    out.open_shard_count = static_cast<int>(Int(summary, "OpenShardCount"));
  }
  std::string next_token;
  do {
    JsonWriter json;
    json.BeginObject();
    if (next_token.empty()) json.Field("StreamName", name);
    else json.Field("NextToken", next_token);
    json.EndObject();
    ASSIGN_OR_RETURN(std::string text, Call("ListShards", json.Take()));
    ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "kinesis"));
    simdjson::dom::array shards;
    if (root["Shards"].get(shards) == simdjson::SUCCESS) {
      for (simdjson::dom::element shard : shards) {
        stream::ShardInfo info;
        info.shard_id = Str(shard, "ShardId");
        info.parent_shard_id = Str(shard, "ParentShardId");
        info.adjacent_parent_shard_id = Str(shard, "AdjacentParentShardId");
        info.hash_key_range = ParseRange(shard);
        simdjson::dom::element range;
        if (shard["SequenceNumberRange"].get(range) == simdjson::SUCCESS) {
          info.starting_sequence_number = Str(range, "StartingSequenceNumber");
          info.ending_sequence_number = Str(range, "EndingSequenceNumber");
        }
        out.shards.push_back(std::move(info));
      }
    }
    next_token = Str(root, "NextToken");
  } while (!next_token.empty());
  return out;
}

Result<std::vector<std::string>> RemoteStreamClient::ListStreams() {
  simdjson::dom::parser parser;
  std::vector<std::string> names;
  bool more = true;
  while (more) {
    JsonWriter json;
    json.BeginObject();
    if (!names.empty()) json.Field("ExclusiveStartStreamName", names.back());
    json.EndObject();
    ASSIGN_OR_RETURN(std::string text, Call("ListStreams", json.Take()));
    ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "kinesis"));
    simdjson::dom::array list;
    size_t before = names.size();
    if (root["StreamNames"].get(list) == simdjson::SUCCESS) {
      for (simdjson::dom::element name : list) {
        std::string_view s;
        if (name.get(s) == simdjson::SUCCESS) names.emplace_back(s);
      }
    }
    bool has_more = false;
    more = root["HasMoreStreams"].get(has_more) == simdjson::SUCCESS && has_more && names.size() > before;
  }
  return names;
}

void RemoteStreamClient::PutRecords(const std::string& stream_name, std::vector<stream::PutEntry> entries,
                                    PutCallback done) {
  auto put = [this, stream_name, entries = std::move(entries), done = std::move(done)]() mutable {
    JsonWriter json(64 + entries.size() * 64);
    json.BeginObject().Field("StreamName", stream_name).Key("Records").BeginArray();
    for (const auto& entry : entries) {
      json.BeginObject().Key("Data").Base64(entry.data).Field("PartitionKey", entry.partition_key);
      if (entry.explicit_hash_key) json.Field("ExplicitHashKey", *entry.explicit_hash_key);
      json.EndObject();
    }
    json.EndArray().EndObject();
    auto text = Call("PutRecords", json.Take());
    if (!text.ok()) return done(text.TakeStatus());
    simdjson::dom::parser parser;
    auto root = ParseReply(parser, *text, "kinesis");
    if (!root.ok()) return done(root.TakeStatus());
    simdjson::dom::array records;
    if ((*root)["Records"].get(records) != simdjson::SUCCESS || records.size() != entries.size()) {
      return done(Status::Internal("kinesis PutRecords answer does not list one result per record"));
    }
    std::vector<Result<stream::PutResult>> results;
    for (simdjson::dom::element record : records) {
      std::string_view code = Str(record, "ErrorCode");
      if (!code.empty()) {
        results.emplace_back(EntryStatus(code, Str(record, "ErrorMessage")));
      } else {
        results.emplace_back(stream::PutResult{std::string(Str(record, "ShardId")),
                                               std::string(Str(record, "SequenceNumber"))});
      }
    }
    done(std::move(results));
  };
  {
    std::lock_guard lock(mu_);
    puts_.push_back(std::move(put));
  }
  cv_.notify_one();
}

Result<int64_t> RemoteStreamClient::CreationMillis(const std::string& stream_name) {
  {
    std::lock_guard lock(mu_);
    if (auto it = creation_millis_.find(stream_name); it != creation_millis_.end()) return it->second;
  }
  JsonWriter json;
  json.BeginObject().Field("StreamName", stream_name).EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("DescribeStreamSummary", json.Take()));
  simdjson::dom::parser parser;
  ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "kinesis"));
  simdjson::dom::element summary;
  if (root["StreamDescriptionSummary"].get(summary) != simdjson::SUCCESS) {
    return Status::Internal("kinesis DescribeStreamSummary answer has no StreamDescriptionSummary");
  }
  int64_t created = EpochMillis(summary, "StreamCreationTimestamp");
  std::lock_guard lock(mu_);
  creation_millis_[stream_name] = created;
  return created;
}

Result<std::string> RemoteStreamClient::GetShardIterator(const stream::IteratorRequest& request) {
  stream::IteratorType type = request.type;
  if (type == stream::IteratorType::kAtTimestamp) {
    // A time before the stream existed means its first record. Kinesis
    // answers so; kinesalite never answers, so we ask for TRIM_HORIZON.
    ASSIGN_OR_RETURN(int64_t created, CreationMillis(request.stream_name));
    if (request.timestamp_millis <= created) type = stream::IteratorType::kTrimHorizon;
  }
  JsonWriter json;
  json.BeginObject()
      .Field("StreamName", request.stream_name)
      .Field("ShardId", request.shard_id)
      .Field("ShardIteratorType", IteratorTypeName(type));
  if (request.type == stream::IteratorType::kAtSequenceNumber ||
      request.type == stream::IteratorType::kAfterSequenceNumber) {
    json.Field("StartingSequenceNumber", request.sequence_number);
  }
  if (type == stream::IteratorType::kAtTimestamp) json.Key("Timestamp").EpochSeconds(request.timestamp_millis);
  json.EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("GetShardIterator", json.Take()));
  simdjson::dom::parser parser;
  ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "kinesis"));
  std::string_view iterator = Str(root, "ShardIterator");
  if (iterator.empty()) return Status::Internal("kinesis GetShardIterator answer has no ShardIterator");
  return std::string(iterator);
}

Result<stream::GetRecordsResult> RemoteStreamClient::GetRecords(const std::string& shard_iterator, int limit) {
  JsonWriter json;
  json.BeginObject().Field("ShardIterator", shard_iterator).Field("Limit", limit).EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("GetRecords", json.Take()));
  simdjson::dom::parser parser;
  ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "kinesis"));
  stream::GetRecordsResult out;
  simdjson::dom::array records;
  if (root["Records"].get(records) == simdjson::SUCCESS) {
    out.records.reserve(records.size());
    for (simdjson::dom::element record : records) {
      stream::Record r;
      r.sequence_number = Str(record, "SequenceNumber");
      r.partition_key = Str(record, "PartitionKey");
      r.arrival_millis = EpochMillis(record, "ApproximateArrivalTimestamp");
      auto data = Base64Decode(Str(record, "Data"));
      if (!data.ok()) return Status::Internal("kinesis GetRecords answer has a record with malformed base64 Data");
      r.data = std::move(*data);
      out.records.push_back(std::move(r));
    }
  }
  out.next_shard_iterator = Str(root, "NextShardIterator");
  out.millis_behind_latest = Int(root, "MillisBehindLatest");
  simdjson::dom::array children;
  if (root["ChildShards"].get(children) == simdjson::SUCCESS) {
    for (simdjson::dom::element child : children) {
      stream::ChildShard c;
      c.shard_id = Str(child, "ShardId");
      c.hash_key_range = ParseRange(child);
      simdjson::dom::array parents;
      if (child["ParentShards"].get(parents) == simdjson::SUCCESS) {
        for (simdjson::dom::element parent : parents) {
          std::string_view id;
          if (parent.get(id) == simdjson::SUCCESS) c.parent_shards.emplace_back(id);
        }
      }
      out.child_shards.push_back(std::move(c));
    }
  }
  return out;
}

Result<std::unique_ptr<stream::Subscription>> RemoteStreamClient::Subscribe(const std::string& stream_name,
                                                                           stream::NewRecordsCallback callback) {
  RETURN_IF_ERROR(DescribeStream(stream_name).status());  // NotFound as the embedded engine
  return std::unique_ptr<stream::Subscription>(std::make_unique<Poller>(this, stream_name, std::move(callback)));
}

}  // namespace aws::remote
