#include "aws/kinesis/responses.h"

#include "aws/common/cbor.h"
#include "aws/common/json_writer.h"
#include "aws/kinesis/kinesis_handler.h"

namespace aws::kinesis {
namespace {

std::string_view StatusName(stream::StreamStatus status) {
  switch (status) {
    case stream::StreamStatus::kCreating: return "CREATING";
    case stream::StreamStatus::kActive: return "ACTIVE";
    case stream::StreamStatus::kUpdating: return "UPDATING";
    case stream::StreamStatus::kDeleting: return "DELETING";
  }
  return "ACTIVE";
}

template <class W>
void WriteMode(W& json, stream::StreamMode mode) {
  json.Key("StreamModeDetails").BeginObject();
  json.Field("StreamMode", mode == stream::StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED");
  json.EndObject();
}

template <class W>
void WriteHashKeyRange(W& json, const stream::HashKeyRange& range) {
  json.Key("HashKeyRange").BeginObject();
  json.Field("StartingHashKey", range.starting_hash_key).Field("EndingHashKey", range.ending_hash_key);
  json.EndObject();
}

template <class W>
void WriteShard(W& json, const stream::ShardInfo& shard) {
  json.BeginObject().Field("ShardId", shard.shard_id);
  if (!shard.parent_shard_id.empty()) json.Field("ParentShardId", shard.parent_shard_id);
  if (!shard.adjacent_parent_shard_id.empty()) json.Field("AdjacentParentShardId", shard.adjacent_parent_shard_id);
  WriteHashKeyRange(json, shard.hash_key_range);
  json.Key("SequenceNumberRange").BeginObject().Field("StartingSequenceNumber", shard.starting_sequence_number);
  if (!shard.ending_sequence_number.empty()) json.Field("EndingSequenceNumber", shard.ending_sequence_number);
  json.EndObject();
  json.EndObject();
}

// The members DescribeStream and DescribeStreamSummary share.
template <class W>
void WriteStreamHeader(W& json, const stream::StreamDescription& d) {
  json.Field("StreamName", d.stream_name).Field("StreamARN", d.stream_arn).Field("StreamStatus", StatusName(d.status));
  WriteMode(json, d.mode);
  json.Field("RetentionPeriodHours", d.retention_hours);
  json.Key("StreamCreationTimestamp").EpochSeconds(d.creation_millis);
  // Enhanced monitoring and encryption are not offered: AWS's "off" values.
  json.Key("EnhancedMonitoring").BeginArray().BeginObject().Key("ShardLevelMetrics").BeginArray().EndArray();
  json.EndObject().EndArray();
  json.Field("EncryptionType", "NONE");
}

}  // namespace

template <class W>
std::string DescribeStreamT(const stream::StreamDescription& d, int limit,
                               const std::string& exclusive_start_shard_id) {
  W json(512 + d.shards.size() * 256);
  json.BeginObject().Key("StreamDescription").BeginObject();
  WriteStreamHeader(json, d);
  json.Key("Shards").BeginArray();
  int written = 0;
  bool more = false;
  for (const stream::ShardInfo& shard : d.shards) {
    if (!exclusive_start_shard_id.empty() && shard.shard_id <= exclusive_start_shard_id) continue;
    if (written == limit) {
      more = true;
      break;
    }
    WriteShard(json, shard);
    ++written;
  }
  json.EndArray().Field("HasMoreShards", more);
  json.EndObject().EndObject();
  return json.Take();
}

template <class W>
std::string DescribeStreamSummaryT(const stream::StreamDescription& d) {
  W json;
  json.BeginObject().Key("StreamDescriptionSummary").BeginObject();
  WriteStreamHeader(json, d);
  json.Field("OpenShardCount", d.open_shard_count).Field("ConsumerCount", 0);
  json.EndObject().EndObject();
  return json.Take();
}

template <class W>
std::string ListStreamsT(const std::vector<stream::StreamDescription>& page, bool has_more,
                            const std::string& next_token) {
  W json(64 + page.size() * 256);
  json.BeginObject().Key("StreamNames").BeginArray();
  for (const auto& d : page) json.String(d.stream_name);
  json.EndArray().Field("HasMoreStreams", has_more);
  if (!next_token.empty()) json.Field("NextToken", next_token);
  json.Key("StreamSummaries").BeginArray();
  for (const auto& d : page) {
    json.BeginObject().Field("StreamName", d.stream_name).Field("StreamARN", d.stream_arn);
    json.Field("StreamStatus", StatusName(d.status));
    WriteMode(json, d.mode);
    json.Key("StreamCreationTimestamp").EpochSeconds(d.creation_millis);
    json.EndObject();
  }
  json.EndArray().EndObject();
  return json.Take();
}

template <class W>
std::string ListShardsT(const std::vector<stream::ShardInfo>& shards, const std::string& next_token) {
  W json(64 + shards.size() * 256);
  json.BeginObject().Key("Shards").BeginArray();
  for (const auto& shard : shards) WriteShard(json, shard);
  json.EndArray();
  if (!next_token.empty()) json.Field("NextToken", next_token);
  json.EndObject();
  return json.Take();
}

template <class W>
std::string PutRecordT(const stream::PutResult& result) {
  W json(128);
  json.BeginObject().Field("ShardId", result.shard_id).Field("SequenceNumber", result.sequence_number);
  json.EndObject();
  return json.Take();
}

template <class W>
std::string PutRecordsT(const std::vector<common::Result<stream::PutResult>>& results) {
  W json(32 + results.size() * 96);
  int failed = 0;
  for (const auto& r : results) failed += r.ok() ? 0 : 1;
  json.BeginObject();
  json.Field("FailedRecordCount", failed);
  json.Key("Records").BeginArray();
  for (const auto& r : results) {
    json.BeginObject();
    if (r.ok()) {
      json.Key("SequenceNumber").PlainString(r->sequence_number).Key("ShardId").PlainString(r->shard_id);
    } else {
      AwsError error = StatusToAwsError(r.status());
      json.Field("ErrorCode", error.type).Field("ErrorMessage", error.message);
    }
    json.EndObject();
  }
  json.EndArray().EndObject();
  return json.Take();
}

template <class W>
std::string GetRecordsT(const stream::GetRecordsResult& result) {
  size_t bytes = 128;
  for (const auto& record : result.records) bytes += record.data.size() * 4 / 3 + record.partition_key.size() + 128;
  W json(bytes);
  json.BeginObject().Key("Records").BeginArray();
  for (const auto& record : result.records) {
    json.BeginObject().Key("SequenceNumber").PlainString(record.sequence_number);
    json.Key("ApproximateArrivalTimestamp").EpochSeconds(record.arrival_millis);
    json.Key("Data").Base64(record.data);
    json.Field("PartitionKey", record.partition_key);
    json.EndObject();
  }
  json.EndArray();
  if (!result.next_shard_iterator.empty()) json.Field("NextShardIterator", result.next_shard_iterator);
  json.Field("MillisBehindLatest", result.millis_behind_latest);
  if (result.next_shard_iterator.empty()) {
    // A closed shard read to its end names its children.
    json.Key("ChildShards").BeginArray();
    for (const auto& child : result.child_shards) {
      json.BeginObject().Field("ShardId", child.shard_id);
      json.Key("ParentShards").BeginArray();
      for (const auto& parent : child.parent_shards) json.String(parent);
      json.EndArray();
      WriteHashKeyRange(json, child.hash_key_range);
      json.EndObject();
    }
    json.EndArray();
  }
  json.EndObject();
  return json.Take();
}

template <class W>
std::string ListTagsT(const std::map<std::string, std::string>& tags, const std::string& exclusive_start_key,
                         int limit) {
  W json;
  json.BeginObject().Key("Tags").BeginArray();
  int written = 0;
  bool more = false;
  for (const auto& [key, value] : tags) {
    if (!exclusive_start_key.empty() && key <= exclusive_start_key) continue;
    if (written == limit) {
      more = true;
      break;
    }
    json.BeginObject().Field("Key", key).Field("Value", value).EndObject();
    ++written;
  }
  json.EndArray().Field("HasMoreTags", more).EndObject();
  return json.Take();
}

std::string DescribeStreamBody(const stream::StreamDescription& d, int limit,
                               const std::string& exclusive_start_shard_id, Wire wire) {
  return wire == Wire::kCbor ? DescribeStreamT<cbor::Writer>(d, limit, exclusive_start_shard_id) : DescribeStreamT<JsonWriter>(d, limit, exclusive_start_shard_id);
}

std::string DescribeStreamSummaryBody(const stream::StreamDescription& d, Wire wire) {
  return wire == Wire::kCbor ? DescribeStreamSummaryT<cbor::Writer>(d) : DescribeStreamSummaryT<JsonWriter>(d);
}

std::string ListStreamsBody(const std::vector<stream::StreamDescription>& page, bool has_more,
                            const std::string& next_token, Wire wire) {
  return wire == Wire::kCbor ? ListStreamsT<cbor::Writer>(page, has_more, next_token) : ListStreamsT<JsonWriter>(page, has_more, next_token);
}

std::string ListShardsBody(const std::vector<stream::ShardInfo>& shards, const std::string& next_token, Wire wire) {
  return wire == Wire::kCbor ? ListShardsT<cbor::Writer>(shards, next_token) : ListShardsT<JsonWriter>(shards, next_token);
}

std::string PutRecordBody(const stream::PutResult& result, Wire wire) {
  return wire == Wire::kCbor ? PutRecordT<cbor::Writer>(result) : PutRecordT<JsonWriter>(result);
}

std::string PutRecordsBody(const std::vector<common::Result<stream::PutResult>>& results, Wire wire) {
  return wire == Wire::kCbor ? PutRecordsT<cbor::Writer>(results) : PutRecordsT<JsonWriter>(results);
}

std::string GetRecordsBody(const stream::GetRecordsResult& result, Wire wire) {
  return wire == Wire::kCbor ? GetRecordsT<cbor::Writer>(result) : GetRecordsT<JsonWriter>(result);
}

std::string ListTagsBody(const std::map<std::string, std::string>& tags, const std::string& exclusive_start_key,
                         int limit, Wire wire) {
  return wire == Wire::kCbor ? ListTagsT<cbor::Writer>(tags, exclusive_start_key, limit) : ListTagsT<JsonWriter>(tags, exclusive_start_key, limit);
}

}  // namespace aws::kinesis
