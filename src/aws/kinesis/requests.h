// The Kinesis JSON 1.1 requests Rivulet serves, parsed and validated the way
// AWS does (field names, limits, exception names and messages), with no
// engine involved: this is the part the fuzz target drives.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <simdjson.h>

#include "aws/common/aws_error.h"
#include "stream/stream_engine.h"

namespace aws::kinesis {

// The operation part of "X-Amz-Target: Kinesis_20131202.<Operation>".
enum class Operation {
  kAddTagsToStream,
  kCreateStream,
  kDecreaseStreamRetentionPeriod,
  kDeleteStream,
  kDeregisterStreamConsumer,
  kDescribeLimits,
  kDescribeStream,
  kDescribeStreamConsumer,
  kDescribeStreamSummary,
  kGetRecords,
  kGetShardIterator,
  kIncreaseStreamRetentionPeriod,
  kListShards,
  kListStreamConsumers,
  kListStreams,
  kListTagsForStream,
  kMergeShards,
  kPutRecord,
  kPutRecords,
  kRegisterStreamConsumer,
  kRemoveTagsFromStream,
  kSplitShard,
  kSubscribeToShard,
  kUpdateShardCount,
};

// nullopt for operations Rivulet does not serve (UnknownOperationException).
std::optional<Operation> ParseOperation(std::string_view name);
std::string_view OperationName(Operation op);

// `stream` is what the engine accepts: a stream name or a stream ARN.
struct CreateStreamRequest {
  std::string stream_name;
  int shard_count = 0;  // 0: the engine's on-demand default
  stream::StreamMode mode = stream::StreamMode::kProvisioned;
  std::map<std::string, std::string> tags;
};
struct DeleteStreamRequest { std::string stream; };
struct DescribeStreamRequest {
  std::string stream;
  int limit = 100;
  std::string exclusive_start_shard_id;
};
struct DescribeStreamSummaryRequest { std::string stream; };
struct ListStreamsRequest {
  int limit = 100;
  std::string exclusive_start_stream_name;  // from the request or its NextToken
};
struct ListShardsRequest {
  std::string stream;  // from StreamName/StreamARN or from NextToken
  int max_results = 1000;
  std::string exclusive_start_shard_id;  // from the request or its NextToken
  stream::ShardFilter filter;
};
struct PutRecordRequest {
  std::string stream;
  stream::PutEntry entry;
};
struct PutRecordsRequest {
  std::string stream;
  std::vector<stream::PutEntry> entries;
};
struct GetShardIteratorRequest { stream::IteratorRequest request; };
struct GetRecordsRequest {
  std::string shard_iterator;
  int limit = 10000;
};
struct RetentionRequest {  // Increase- and DecreaseStreamRetentionPeriod
  std::string stream;
  int hours = 0;
  bool increase = true;
};
struct SplitShardRequest {
  std::string stream;
  std::string shard_to_split;
  std::string new_starting_hash_key;
};
struct MergeShardsRequest {
  std::string stream;
  std::string shard_to_merge;
  std::string adjacent_shard_to_merge;
};
struct UpdateShardCountRequest {
  std::string stream;
  int target_shard_count = 0;
};
struct AddTagsRequest {
  std::string stream;
  std::map<std::string, std::string> tags;
};
struct RemoveTagsRequest {
  std::string stream;
  std::vector<std::string> keys;
};
struct ListTagsRequest {
  std::string stream;
  std::string exclusive_start_tag_key;
  int limit = 100;
};
struct DescribeLimitsRequest {};
// Enhanced fan-out. A consumer is named by ConsumerARN, or by StreamARN +
// ConsumerName.
struct ConsumerRequest {
  Operation op = Operation::kDescribeStreamConsumer;  // Register/Describe/Deregister/ListStreamConsumers
  std::string stream_arn;
  std::string consumer_name;
  std::string consumer_arn;
  int max_results = 100;  // ListStreamConsumers
};
struct SubscribeToShardRequest {
  std::string consumer_arn;
  stream::IteratorRequest start;  // shard_id, type, sequence_number, timestamp_millis
};

using Request = std::variant<CreateStreamRequest, DeleteStreamRequest, DescribeStreamRequest,
                             DescribeStreamSummaryRequest, ListStreamsRequest, ListShardsRequest,
                             PutRecordRequest, PutRecordsRequest, GetShardIteratorRequest, GetRecordsRequest,
                             RetentionRequest, SplitShardRequest, MergeShardsRequest, UpdateShardCountRequest,
                             AddTagsRequest, RemoveTagsRequest, ListTagsRequest, DescribeLimitsRequest,
                             ConsumerRequest, SubscribeToShardRequest>;

// Parses and validates `body` for `op` into `out`. Returns the AWS error
// (SerializationException, ValidationException, InvalidArgumentException)
// when the request is malformed; nullopt when `out` holds the request.
// `now_millis` checks NextToken expiry. `parser` is reused per thread.
std::optional<AwsError> ParseRequest(Operation op, std::string_view body, simdjson::dom::parser& parser,
                                     int64_t now_millis, Request* out);

// The same for an application/x-amz-cbor-1.1 body (the AWS SDK for Java's
// default): same validation and errors; blobs are byte strings, timestamps
// epoch milliseconds (tag 1) or float seconds.
std::optional<AwsError> ParseCborRequest(Operation op, std::string_view body, int64_t now_millis, Request* out);

// Opaque pagination tokens (ListShards, ListStreams): base64 of
// "<kind>|<issued millis>|<a>|<b>". Valid for 300 s as AWS's.
std::string MakeNextToken(std::string_view kind, int64_t now_millis, std::string_view a, std::string_view b);

}  // namespace aws::kinesis
