#include "aws/kinesis/kinesis_handler.h"

#include <algorithm>
#include <memory>

#include "aws/common/cbor.h"
#include "aws/common/json_writer.h"
#include "aws/kinesis/requests.h"
#include "aws/kinesis/responses.h"

namespace aws::kinesis {
namespace {

using common::Status;
using gateway::Respond;

// Header lookup without the gateway library: names are case-insensitive.
std::string_view HeaderValue(const gateway::Request& request, std::string_view name) {
  for (const auto& [key, value] : request.headers.items()) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return {};
}

// Everything one operation needs to answer.
struct Call {
  stream::StreamEngine* engine;
  ConsumerRegistry* consumers;
  int http_version;
  int64_t now_millis;
  std::string request_id;
  Respond respond;

  Wire wire = Wire::kJson;  // the request's format, also the response's

  std::string_view content_type() const { return wire == Wire::kCbor ? kCborContentType : kContentType; }
  void Ok(std::string body) const { respond(JsonResponse(std::move(body), content_type(), request_id)); }
  void Fail(const AwsError& error) const {
    if (wire == Wire::kJson) return respond(JsonErrorResponse(error, kContentType, request_id));
    // The same {"__type", "message"} shape, as a CBOR map.
    cbor::Writer body(64 + error.message.size());
    body.BeginObject().Field("__type", error.type);
    if (!error.message.empty()) body.Field("message", error.message);
    body.EndObject();
    gateway::Response response = JsonResponse(body.Take(), kCborContentType, request_id);
    response.status = error.http_status;
    response.headers.Add("x-amzn-ErrorType", error.type);
    respond(std::move(response));
  }
  // Writes a small response with a JsonWriter or a cbor::Writer.
  template <class Fn>
  void OkWith(Fn&& write) const {
    if (wire == Wire::kCbor) {
      cbor::Writer w;
      write(w);
      return Ok(w.Take());
    }
    JsonWriter w;
    write(w);
    Ok(w.Take());
  }
  void Fail(const Status& status) const { Fail(StatusToAwsError(status)); }
  // Operations that return nothing answer "{}" like AWS.
  void Done(const Status& status) const {
    if (status.ok()) OkWith([](auto& w) { w.BeginObject().EndObject(); });
    else Fail(status);
  }
};

void Execute(Call& call, CreateStreamRequest& r) {
  Status status = call.engine->CreateStream(r.stream_name, r.shard_count, r.mode);
  if (status.ok() && !r.tags.empty()) status = call.engine->AddTagsToStream(r.stream_name, r.tags);
  call.Done(status);
}

void Execute(Call& call, DeleteStreamRequest& r) { call.Done(call.engine->DeleteStream(r.stream)); }

void Execute(Call& call, DescribeStreamRequest& r) {
  auto description = call.engine->DescribeStream(r.stream);
  if (!description.ok()) return call.Fail(description.status());
  call.Ok(DescribeStreamBody(*description, r.limit, r.exclusive_start_shard_id, call.wire));
}

void Execute(Call& call, DescribeStreamSummaryRequest& r) {
  auto description = call.engine->DescribeStream(r.stream);
  if (!description.ok()) return call.Fail(description.status());
  call.Ok(DescribeStreamSummaryBody(*description, call.wire));
}

void Execute(Call& call, ListStreamsRequest& r) {
  auto names = call.engine->ListStreams();
  if (!names.ok()) return call.Fail(names.status());
  std::vector<stream::StreamDescription> page;
  bool more = false;
  for (const std::string& name : *names) {
    if (!r.exclusive_start_stream_name.empty() && name <= r.exclusive_start_stream_name) continue;
    if (static_cast<int>(page.size()) == r.limit) {
      more = true;
      break;
    }
    auto description = call.engine->DescribeStream(name);
    if (!description.ok()) continue;  // deleted since ListStreams
    description->shards.clear();      // summaries need no shards
    page.push_back(std::move(*description));
  }
  std::string token = more ? MakeNextToken("streams", call.now_millis, page.back().stream_name, "") : "";
  call.Ok(ListStreamsBody(page, more, token, call.wire));
}

void Execute(Call& call, ListShardsRequest& r) {
  auto shards = call.engine->ListShards(r.stream, r.filter, r.exclusive_start_shard_id);
  if (!shards.ok()) return call.Fail(shards.status());
  std::string token;
  if (static_cast<int>(shards->size()) > r.max_results) {
    shards->resize(r.max_results);
    // The filter rides in the token so the next page applies it too.
    std::string state = shards->back().shard_id;
    state += '\x1f';
    state += static_cast<char>('0' + static_cast<int>(r.filter.type));
    state += '\x1f';
    state += r.filter.shard_id;
    state += '\x1f';
    state += std::to_string(r.filter.timestamp_millis);
    token = MakeNextToken("shards", call.now_millis, r.stream, state);
  }
  call.Ok(ListShardsBody(*shards, token, call.wire));
}

void Execute(Call& call, PutRecordRequest& r) {
  std::vector<stream::PutEntry> entries;
  entries.push_back(std::move(r.entry));
  // The callback owns a copy of the call: it runs on the engine's commit
  // thread after the fsync that makes the record durable.
  call.engine->PutRecords(r.stream, std::move(entries),
                          [call](common::Result<std::vector<common::Result<stream::PutResult>>> result) {
                            if (!result.ok()) return call.Fail(result.status());
                            if (result->size() != 1) return call.Fail(Status::Internal("PutRecord got no outcome"));
                            const auto& outcome = result->front();
                            if (!outcome.ok()) return call.Fail(outcome.status());
                            call.Ok(PutRecordBody(*outcome, call.wire));
                          });
}

void Execute(Call& call, PutRecordsRequest& r) {
  call.engine->PutRecords(r.stream, std::move(r.entries),
                          [call](common::Result<std::vector<common::Result<stream::PutResult>>> result) {
                            if (!result.ok()) return call.Fail(result.status());
                            call.Ok(PutRecordsBody(*result, call.wire));
                          });
}

void Execute(Call& call, GetShardIteratorRequest& r) {
  auto iterator = call.engine->GetShardIterator(r.request);
  if (!iterator.ok()) return call.Fail(iterator.status());
  call.OkWith([&](auto& w) { w.BeginObject().Field("ShardIterator", *iterator).EndObject(); });
}

void Execute(Call& call, GetRecordsRequest& r) {
  auto result = call.engine->GetRecords(r.shard_iterator, r.limit);
  if (!result.ok()) return call.Fail(result.status());
  call.Ok(GetRecordsBody(*result, call.wire));
}

void Execute(Call& call, RetentionRequest& r) {
  call.Done(r.increase ? call.engine->IncreaseStreamRetentionPeriod(r.stream, r.hours)
                       : call.engine->DecreaseStreamRetentionPeriod(r.stream, r.hours));
}

void Execute(Call& call, SplitShardRequest& r) {
  call.Done(call.engine->SplitShard(r.stream, r.shard_to_split, r.new_starting_hash_key));
}

void Execute(Call& call, MergeShardsRequest& r) {
  call.Done(call.engine->MergeShards(r.stream, r.shard_to_merge, r.adjacent_shard_to_merge));
}

void Execute(Call& call, UpdateShardCountRequest& r) {
  auto result = call.engine->UpdateShardCount(r.stream, r.target_shard_count);
  if (!result.ok()) return call.Fail(result.status());
  call.OkWith([&](auto& w) {
    w.BeginObject()
        .Field("StreamName", result->stream_name)
        .Field("StreamARN", result->stream_arn)
        .Field("CurrentShardCount", result->current_shard_count)
        .Field("TargetShardCount", result->target_shard_count)
        .EndObject();
  });
}

void Execute(Call& call, AddTagsRequest& r) { call.Done(call.engine->AddTagsToStream(r.stream, r.tags)); }

void Execute(Call& call, RemoveTagsRequest& r) { call.Done(call.engine->RemoveTagsFromStream(r.stream, r.keys)); }

void Execute(Call& call, ListTagsRequest& r) {
  auto tags = call.engine->ListTagsForStream(r.stream);
  if (!tags.ok()) return call.Fail(tags.status());
  call.Ok(ListTagsBody(*tags, r.exclusive_start_tag_key, r.limit, call.wire));
}

void Execute(Call& call, DescribeLimitsRequest&) {
  stream::StreamLimits limits = call.engine->DescribeLimits();
  call.OkWith([&](auto& w) {
    w.BeginObject()
        .Field("ShardLimit", limits.shard_limit)
        .Field("OpenShardCount", limits.open_shard_count)
        .Field("OnDemandStreamCount", limits.on_demand_stream_count)
        .Field("OnDemandStreamCountLimit", limits.on_demand_stream_count_limit)
        .EndObject();
  });
}

template <class W>
void WriteConsumer(W& w, const ConsumerInfo& c, bool with_stream) {
  w.BeginObject().Field("ConsumerName", c.name).Field("ConsumerARN", c.arn).Field("ConsumerStatus", "ACTIVE");
  w.Key("ConsumerCreationTimestamp").EpochSeconds(c.creation_millis);
  if (with_stream) w.Field("StreamARN", c.stream_arn);
  w.EndObject();
}

void Execute(Call& call, ConsumerRequest& r) {
  ConsumerRegistry& registry = *call.consumers;
  switch (r.op) {
    case Operation::kRegisterStreamConsumer: {
      auto c = registry.Register(r.stream_arn, r.consumer_name);
      if (!c.ok()) return call.Fail(c.status());
      // Kinesis says CREATING and turns ACTIVE within seconds; ours is ready at once.
      return call.OkWith([&](auto& w) {
        w.BeginObject().Key("Consumer");
        WriteConsumer(w, *c, false);
        w.EndObject();
      });
    }
    case Operation::kDescribeStreamConsumer: {
      auto c = registry.Describe(r.stream_arn, r.consumer_name, r.consumer_arn);
      if (!c.ok()) return call.Fail(c.status());
      return call.OkWith([&](auto& w) {
        w.BeginObject().Key("ConsumerDescription");
        WriteConsumer(w, *c, true);
        w.EndObject();
      });
    }
    case Operation::kListStreamConsumers: {
      auto list = registry.List(r.stream_arn);
      if (!list.ok()) return call.Fail(list.status());
      if (static_cast<int>(list->size()) > r.max_results) list->resize(r.max_results);
      return call.OkWith([&](auto& w) {
        w.BeginObject().Key("Consumers").BeginArray();
        for (const auto& c : *list) WriteConsumer(w, c, false);
        w.EndArray().EndObject();
      });
    }
    default:
      return call.Done(registry.Deregister(r.stream_arn, r.consumer_name, r.consumer_arn));
  }
}

void Execute(Call& call, SubscribeToShardRequest& r) {
  // The event stream needs a response that outlives one body: HTTP/2 only,
  // as with Kinesis (the SDKs always use HTTP/2 for it).
  if (call.http_version != 20) {
    return call.Fail(AwsError{400, "InvalidArgumentException", "SubscribeToShard requires HTTP/2."});
  }
  auto source = call.consumers->Subscribe(r.consumer_arn, r.start, call.wire);
  if (!source.ok()) return call.Fail(source.status());
  gateway::Response response;
  response.status = 200;
  response.headers.Add("Content-Type", "application/vnd.amazon.eventstream");
  response.headers.Add("x-amzn-RequestId", call.request_id);
  response.body_source = std::move(*source);
  call.respond(std::move(response));
}

}  // namespace

AwsError StatusToAwsError(const Status& status) {
  using Code = Status::Code;
  switch (status.code()) {
    case Code::kNotFound: return {400, "ResourceNotFoundException", status.message()};
    case Code::kAlreadyExists:
    case Code::kResourceInUse: return {400, "ResourceInUseException", status.message()};
    case Code::kInvalidArgument:
    case Code::kConditionFailed: return {400, "InvalidArgumentException", status.message()};
    case Code::kLimitExceeded: return {400, "LimitExceededException", status.message()};
    case Code::kExpired: return {400, "ExpiredIteratorException", status.message()};
    case Code::kThrottled: return {400, "ProvisionedThroughputExceededException", status.message()};
    case Code::kPermissionDenied: return {400, "AccessDeniedException", status.message()};
    case Code::kUnauthenticated: return {400, "UnrecognizedClientException", status.message()};
    case Code::kUnavailable: return {503, "ServiceUnavailable", status.message()};
    case Code::kOk:  // a bug in the caller; answer rather than crash
    case Code::kCorruption:
    case Code::kIOError:
    case Code::kInternal: break;
  }
  return {500, "InternalFailure", status.message()};
}

KinesisHandler::KinesisHandler(stream::StreamEngine* engine, common::Clock* clock)
    : engine_(engine), clock_(clock ? clock : common::SystemClock::Default()),
      consumers_(std::make_unique<ConsumerRegistry>(engine_, clock_)) {}

KinesisHandler::~KinesisHandler() = default;

void KinesisHandler::Handle(gateway::Request& request, Respond respond) const {
  Call call{engine_, consumers_.get(), request.http_version, clock_->NowMillis(), request.request_id,
            std::move(respond)};
  // The AWS SDK for Java and the KCL send CBOR unless told not to.
  std::string_view content_type = HeaderValue(request, "Content-Type");
  if (content_type.substr(0, kCborContentType.size()) == kCborContentType) call.wire = Wire::kCbor;

  std::string_view target = HeaderValue(request, "X-Amz-Target");
  std::optional<Operation> op;
  if (target.substr(0, kTargetPrefix.size()) == kTargetPrefix && target.size() > kTargetPrefix.size() &&
      target[kTargetPrefix.size()] == '.') {
    op = ParseOperation(target.substr(kTargetPrefix.size() + 1));
  }
  if (!op || request.method != "POST") return call.Fail(AwsError{400, "UnknownOperationException", ""});

  // Who the caller is and whether it may do this was settled before the
  // handler runs (aws/auth: SigV4 and policies for every AWS-endpoint call).
  thread_local simdjson::dom::parser parser;
  Request parsed;
  auto error = call.wire == Wire::kCbor ? ParseCborRequest(*op, request.body, call.now_millis, &parsed)
                                        : ParseRequest(*op, request.body, parser, call.now_millis, &parsed);
  if (error) return call.Fail(*error);

  std::visit([&call](auto& r) { Execute(call, r); }, parsed);
}

}  // namespace aws::kinesis
