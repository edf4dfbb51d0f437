#include "aws/kinesis/requests.h"

#include <array>
#include <utility>

#include "aws/common/base64.h"
#include "aws/common/cbor_reader.h"
#include "aws/common/json_reader.h"

namespace aws::kinesis {
namespace {

// JsonReader over simdjson, with the object type the templates below need.
class SimdjsonReader : public JsonReader {
 public:
  using Object = simdjson::dom::object;
};

constexpr std::array<std::pair<std::string_view, Operation>, 24> kOperations = {{
    {"AddTagsToStream", Operation::kAddTagsToStream},
    {"CreateStream", Operation::kCreateStream},
    {"DecreaseStreamRetentionPeriod", Operation::kDecreaseStreamRetentionPeriod},
    {"DeleteStream", Operation::kDeleteStream},
    {"DeregisterStreamConsumer", Operation::kDeregisterStreamConsumer},
    {"DescribeLimits", Operation::kDescribeLimits},
    {"DescribeStream", Operation::kDescribeStream},
    {"DescribeStreamConsumer", Operation::kDescribeStreamConsumer},
    {"DescribeStreamSummary", Operation::kDescribeStreamSummary},
    {"GetRecords", Operation::kGetRecords},
    {"GetShardIterator", Operation::kGetShardIterator},
    {"IncreaseStreamRetentionPeriod", Operation::kIncreaseStreamRetentionPeriod},
    {"ListShards", Operation::kListShards},
    {"ListStreamConsumers", Operation::kListStreamConsumers},
    {"ListStreams", Operation::kListStreams},
    {"ListTagsForStream", Operation::kListTagsForStream},
    {"MergeShards", Operation::kMergeShards},
    {"PutRecord", Operation::kPutRecord},
    {"PutRecords", Operation::kPutRecords},
    {"RegisterStreamConsumer", Operation::kRegisterStreamConsumer},
    {"RemoveTagsFromStream", Operation::kRemoveTagsFromStream},
    {"SplitShard", Operation::kSplitShard},
    {"SubscribeToShard", Operation::kSubscribeToShard},
    {"UpdateShardCount", Operation::kUpdateShardCount},
}};

constexpr int64_t kNextTokenLifetimeMillis = 300'000;
constexpr size_t kMaxRecordBytes = 1 << 20;

// Reads the fields of one request and collects AWS's errors; each Read* verb
// reads one member and checks its constraints, as AWS's model declares them.
// `Reader` is SimdjsonReader (JSON 1.1) or CborReader (CBOR 1.1): one parser,
// both wire formats, no detour through JSON text.
template <class Reader>
class Fields {
 public:
  using Object = typename Reader::Object;
  explicit Fields(Object root) : root_(root) {}

  Reader& reader() { return reader_; }
  Object root() const { return root_; }

  // StreamName is optional in the model since StreamARN arrived, but one of
  // the two must be there; AWS then reports the missing name.
  std::string ReadStream(bool required = true) {
    auto name = ReadName("StreamName", "streamName", false);
    auto arn = reader_.String(root_, "StreamARN");
    if (arn) {
      reader_.CheckLength("streamARN", *arn, 1, 2048);
      if (!name) return std::string(*arn);
    }
    if (!name && required) reader_.CheckNotNull("streamName", false);
    return name ? std::string(*name) : std::string();
  }

  // A [a-zA-Z0-9_.-]{1,128} member (stream names, shard ids).
  std::optional<std::string_view> ReadName(std::string_view key, std::string_view path, bool required) {
    auto value = reader_.String(root_, key);
    if (required) reader_.CheckNotNull(path, value.has_value());
    if (value) {
      reader_.CheckNamePattern(path, *value);
      reader_.CheckLength(path, *value, 1, 128);
    }
    return value;
  }

  std::optional<int64_t> ReadInt(std::string_view key, std::string_view path, bool required, int64_t min,
                                 int64_t max) {
    auto value = reader_.Integer(root_, key);
    if (required) reader_.CheckNotNull(path, value.has_value());
    if (value) reader_.CheckRange(path, *value, min, max);
    return value;
  }

  std::optional<std::string_view> ReadEnum(std::string_view key, std::string_view path, bool required,
                                           const std::vector<std::string_view>& allowed) {
    auto value = reader_.String(root_, key);
    if (required) reader_.CheckNotNull(path, value.has_value());
    if (value) reader_.CheckEnum(path, *value, allowed);
    return value;
  }

  // PartitionKey, Data and ExplicitHashKey of a PutRecord or of one
  // PutRecords entry (`prefix` is "" or "records.N.member.").
  stream::PutEntry ReadEntry(Object entry, const std::string& prefix) {
    stream::PutEntry out;
    auto data = reader_.Blob(entry, "Data");
    auto key = reader_.String(entry, "PartitionKey");
    auto hash = reader_.String(entry, "ExplicitHashKey");
    reader_.CheckNotNull(prefix + "data", data.has_value());
    if (data) reader_.CheckBlobLength(prefix + "data", data->size(), kMaxRecordBytes);
    reader_.CheckNotNull(prefix + "partitionKey", key.has_value());
    if (key) reader_.CheckLength(prefix + "partitionKey", *key, 1, 256);
    if (hash) reader_.CheckDecimalPattern(prefix + "explicitHashKey", *hash, 38);
    if (data) out.data = std::move(*data);
    if (key) out.partition_key = std::string(*key);
    if (hash) out.explicit_hash_key = std::string(*hash);
    return out;
  }

 private:
  Object root_;
  Reader reader_;
};

std::string_view TokenPart(std::string_view* rest) {
  size_t bar = rest->find('|');
  std::string_view part = rest->substr(0, bar);
  rest->remove_prefix(bar == std::string_view::npos ? rest->size() : bar + 1);
  return part;
}

// Decodes a token made by MakeNextToken of this `kind` into (a, b).
std::optional<AwsError> ReadNextToken(std::string_view token, std::string_view kind, int64_t now_millis,
                                      std::string* a, std::string* b) {
  auto decoded = Base64Decode(token);
  AwsError invalid = InvalidArgumentError("NextToken " + std::string(token.substr(0, 64)) + " is invalid.");
  if (!decoded.ok()) return invalid;
  std::string_view rest = *decoded;
  if (TokenPart(&rest) != kind) return invalid;
  std::string_view issued_text = TokenPart(&rest);
  int64_t issued = 0;
  for (char c : issued_text) {
    if (c < '0' || c > '9' || issued > 1'000'000'000'000'000) return invalid;
    issued = issued * 10 + (c - '0');
  }
  if (issued_text.empty()) return invalid;
  if (now_millis - issued > kNextTokenLifetimeMillis) {
    return AwsError{400, "ExpiredNextTokenException", "The timestamp of the NextToken has expired."};
  }
  *a = std::string(TokenPart(&rest));
  *b = std::string(rest);
  return std::nullopt;
}

std::optional<stream::StreamMode> ModeFromText(std::string_view text) {
  if (text == "PROVISIONED") return stream::StreamMode::kProvisioned;
  if (text == "ON_DEMAND") return stream::StreamMode::kOnDemand;
  return std::nullopt;
}

// Each Parse* fills `out` and leaves errors in `f`; a few operation-level
// rules that AWS reports as InvalidArgumentException return one directly.
template <class F>
std::optional<AwsError> ParseCreateStream(F& f, Request* out) {
  CreateStreamRequest r;
  auto name = f.ReadName("StreamName", "streamName", true);
  auto shards = f.ReadInt("ShardCount", "shardCount", false, 1, 100000);
  auto& reader = f.reader();
  std::optional<std::string_view> mode_text;
  if (auto details = reader.Structure(f.root(), "StreamModeDetails")) {
    mode_text = reader.String(*details, "StreamMode");
    reader.CheckNotNull("streamModeDetails.streamMode", mode_text.has_value());
    if (mode_text) reader.CheckEnum("streamModeDetails.streamMode", *mode_text, {"PROVISIONED", "ON_DEMAND"});
  }
  if (auto tags = reader.Map(f.root(), "Tags")) {
    for (auto [key, value] : *tags) {
      auto v = reader.AsString(value);
      if (reader.failed()) break;
      r.tags[std::string(key)] = std::string(v.value_or(""));
    }
  }
  if (name) r.stream_name = std::string(*name);
  // Without StreamModeDetails, a ShardCount means provisioned and its absence
  // on-demand (AWS's current default).
  std::optional<stream::StreamMode> mode =
      mode_text ? ModeFromText(*mode_text)
                : (shards ? stream::StreamMode::kProvisioned : stream::StreamMode::kOnDemand);
  r.mode = mode.value_or(stream::StreamMode::kProvisioned);  // an invalid mode is already an error
  if (mode == stream::StreamMode::kProvisioned && !shards) reader.CheckNotNull("shardCount", false);
  r.shard_count = static_cast<int>(shards.value_or(0));
  *out = std::move(r);
  return std::nullopt;
}

template <class F>
std::optional<AwsError> ParseListShards(F& f, int64_t now_millis, Request* out) {
  ListShardsRequest r;
  auto& reader = f.reader();
  auto name = f.ReadName("StreamName", "streamName", false);
  auto arn = reader.String(f.root(), "StreamARN");
  auto token = reader.String(f.root(), "NextToken");
  if (token) reader.CheckLength("nextToken", *token, 1, 1048576);
  auto start = f.ReadName("ExclusiveStartShardId", "exclusiveStartShardId", false);
  auto max = f.ReadInt("MaxResults", "maxResults", false, 1, 10000);
  auto created = reader.TimestampMillis(f.root(), "StreamCreationTimestamp");
  std::optional<std::string_view> filter_type;
  if (auto filter = reader.Structure(f.root(), "ShardFilter")) {
    filter_type = reader.String(*filter, "Type");
    reader.CheckNotNull("shardFilter.type", filter_type.has_value());
    if (filter_type) {
      reader.CheckEnum("shardFilter.type", *filter_type,
                       {"AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP",
                        "FROM_TIMESTAMP"});
    }
    auto shard = reader.String(*filter, "ShardId");
    if (shard) {
      reader.CheckNamePattern("shardFilter.shardId", *shard);
      reader.CheckLength("shardFilter.shardId", *shard, 1, 128);
      r.filter.shard_id = std::string(*shard);
    }
    r.filter.timestamp_millis = reader.TimestampMillis(*filter, "Timestamp").value_or(0);
    if (filter_type == "AFTER_SHARD_ID") r.filter.type = stream::ShardFilterType::kAfterShardId;
    else if (filter_type == "AT_TRIM_HORIZON") r.filter.type = stream::ShardFilterType::kAtTrimHorizon;
    else if (filter_type == "FROM_TRIM_HORIZON") r.filter.type = stream::ShardFilterType::kFromTrimHorizon;
    else if (filter_type == "AT_LATEST") r.filter.type = stream::ShardFilterType::kAtLatest;
    else if (filter_type == "AT_TIMESTAMP") r.filter.type = stream::ShardFilterType::kAtTimestamp;
    else if (filter_type == "FROM_TIMESTAMP") r.filter.type = stream::ShardFilterType::kFromTimestamp;
  }
  if (auto error = reader.Finish()) return error;
  bool has_stream = name || arn;
  if (token) {
    if (has_stream) return InvalidArgumentError("NextToken and StreamName cannot be provided together.");
    if (start || created || filter_type) {
      return InvalidArgumentError(
          "NextToken cannot be provided together with ExclusiveStartShardId, ShardFilter or "
          "StreamCreationTimestamp.");
    }
    std::string filter_text;
    if (auto error = ReadNextToken(*token, "shards", now_millis, &r.stream, &r.exclusive_start_shard_id)) {
      return error;
    }
    // The filter rides along after the last shard id: "<shard>\x1f<type>\x1f<shard>\x1f<ts>".
    size_t sep = r.exclusive_start_shard_id.find('\x1f');
    if (sep != std::string::npos) {
      std::string_view rest = std::string_view(r.exclusive_start_shard_id).substr(sep + 1);
      size_t a = rest.find('\x1f');
      size_t b = a == std::string_view::npos ? a : rest.find('\x1f', a + 1);
      if (b == std::string_view::npos) return InvalidArgumentError("NextToken is invalid.");
      int type = rest[0] - '0';
      if (type < 0 || type > 6) return InvalidArgumentError("NextToken is invalid.");
      r.filter.type = static_cast<stream::ShardFilterType>(type);
      r.filter.shard_id = std::string(rest.substr(a + 1, b - a - 1));
      r.filter.timestamp_millis = std::atoll(std::string(rest.substr(b + 1)).c_str());
      r.exclusive_start_shard_id.resize(sep);
    }
  } else {
    if (!has_stream) return InvalidArgumentError("Either NextToken or StreamName should be provided.");
    r.stream = name ? std::string(*name) : std::string(*arn);
    if (start) r.exclusive_start_shard_id = std::string(*start);
  }
  if (r.filter.type == stream::ShardFilterType::kAfterShardId && r.filter.shard_id.empty()) {
    return InvalidArgumentError("ShardId must be specified for the AFTER_SHARD_ID ShardFilter type.");
  }
  if ((r.filter.type == stream::ShardFilterType::kAtTimestamp ||
       r.filter.type == stream::ShardFilterType::kFromTimestamp) &&
      r.filter.timestamp_millis == 0) {
    return InvalidArgumentError("Timestamp must be specified for the AT_TIMESTAMP and FROM_TIMESTAMP ShardFilter types.");
  }
  r.max_results = static_cast<int>(max.value_or(1000));
  *out = std::move(r);
  return std::nullopt;
}

template <class F>
std::optional<AwsError> ParseGetShardIterator(F& f, Request* out) {
  GetShardIteratorRequest r;
  auto& reader = f.reader();
  r.request.stream_name = f.ReadStream();
  auto shard = f.ReadName("ShardId", "shardId", true);
  auto type = f.ReadEnum("ShardIteratorType", "shardIteratorType", true,
                         {"AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"});
  auto sequence = reader.String(f.root(), "StartingSequenceNumber");
  if (sequence) reader.CheckDecimalPattern("startingSequenceNumber", *sequence, 128);
  auto timestamp = reader.TimestampMillis(f.root(), "Timestamp");
  if (auto error = reader.Finish()) return error;
  r.request.shard_id = std::string(*shard);
  bool by_sequence = *type == "AT_SEQUENCE_NUMBER" || *type == "AFTER_SEQUENCE_NUMBER";
  if (by_sequence != sequence.has_value()) {
    return InvalidArgumentError(
        "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) "
        "TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified " +
        std::string(*type) + (sequence ? " and also a StartingSequenceNumber." : " and no StartingSequenceNumber."));
  }
  if (*type == "TRIM_HORIZON") r.request.type = stream::IteratorType::kTrimHorizon;
  else if (*type == "LATEST") r.request.type = stream::IteratorType::kLatest;
  else if (*type == "AT_SEQUENCE_NUMBER") r.request.type = stream::IteratorType::kAtSequenceNumber;
  else if (*type == "AFTER_SEQUENCE_NUMBER") r.request.type = stream::IteratorType::kAfterSequenceNumber;
  else r.request.type = stream::IteratorType::kAtTimestamp;
  if (sequence) r.request.sequence_number = std::string(*sequence);
  if (r.request.type == stream::IteratorType::kAtTimestamp) {
    if (!timestamp) {
      return InvalidArgumentError(
          "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no "
          "timestamp parameter.");
    }
    r.request.timestamp_millis = *timestamp;
  }
  *out = std::move(r);
  return std::nullopt;
}

template <class F>
std::optional<AwsError> ParseConsumer(Operation op, F& f, Request* out) {
  ConsumerRequest r;
  r.op = op;
  auto& reader = f.reader();
  auto stream_arn = reader.String(f.root(), "StreamARN");
  auto name = op == Operation::kListStreamConsumers ? std::nullopt
                                                    : f.ReadName("ConsumerName", "consumerName", false);
  std::optional<std::string_view> consumer_arn;
  if (op != Operation::kRegisterStreamConsumer && op != Operation::kListStreamConsumers) {
    consumer_arn = reader.String(f.root(), "ConsumerARN");
    if (consumer_arn) reader.CheckLength("consumerARN", *consumer_arn, 1, 2048);
  }
  bool needs_stream = op == Operation::kRegisterStreamConsumer || op == Operation::kListStreamConsumers;
  if (needs_stream) reader.CheckNotNull("streamARN", stream_arn.has_value());
  if (op == Operation::kRegisterStreamConsumer) reader.CheckNotNull("consumerName", name.has_value());
  if (stream_arn) reader.CheckLength("streamARN", *stream_arn, 1, 2048);
  if (op == Operation::kListStreamConsumers) {
    r.max_results = static_cast<int>(f.ReadInt("MaxResults", "maxResults", false, 1, 10000).value_or(100));
    reader.String(f.root(), "NextToken");
    reader.TimestampMillis(f.root(), "StreamCreationTimestamp");
  }
  if (auto error = reader.Finish()) return error;
  if (!needs_stream && !consumer_arn && !(stream_arn && name)) {
    return InvalidArgumentError("Either ConsumerARN or both StreamARN and ConsumerName must be provided.");
  }
  if (stream_arn) r.stream_arn = std::string(*stream_arn);
  if (name) r.consumer_name = std::string(*name);
  if (consumer_arn) r.consumer_arn = std::string(*consumer_arn);
  *out = std::move(r);
  return std::nullopt;
}

template <class F>
std::optional<AwsError> ParseSubscribeToShard(F& f, Request* out) {
  SubscribeToShardRequest r;
  auto& reader = f.reader();
  auto consumer_arn = reader.String(f.root(), "ConsumerARN");
  reader.CheckNotNull("consumerARN", consumer_arn.has_value());
  if (consumer_arn) reader.CheckLength("consumerARN", *consumer_arn, 1, 2048);
  auto shard = f.ReadName("ShardId", "shardId", true);
  auto position = reader.Structure(f.root(), "StartingPosition");
  reader.CheckNotNull("startingPosition", position.has_value());
  std::optional<std::string_view> type, sequence;
  std::optional<int64_t> timestamp;
  if (position) {
    type = reader.String(*position, "Type");
    reader.CheckNotNull("startingPosition.type", type.has_value());
    if (type) {
      reader.CheckEnum("startingPosition.type", *type,
                       {"AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"});
    }
    sequence = reader.String(*position, "SequenceNumber");
    if (sequence) reader.CheckDecimalPattern("startingPosition.sequenceNumber", *sequence, 128);
    timestamp = reader.TimestampMillis(*position, "Timestamp");
  }
  if (auto error = reader.Finish()) return error;
  r.consumer_arn = std::string(*consumer_arn);
  r.start.shard_id = std::string(*shard);
  if (*type == "TRIM_HORIZON") r.start.type = stream::IteratorType::kTrimHorizon;
  else if (*type == "LATEST") r.start.type = stream::IteratorType::kLatest;
  else if (*type == "AT_SEQUENCE_NUMBER") r.start.type = stream::IteratorType::kAtSequenceNumber;
  else if (*type == "AFTER_SEQUENCE_NUMBER") r.start.type = stream::IteratorType::kAfterSequenceNumber;
  else r.start.type = stream::IteratorType::kAtTimestamp;
  bool by_sequence = r.start.type == stream::IteratorType::kAtSequenceNumber ||
                     r.start.type == stream::IteratorType::kAfterSequenceNumber;
  if (by_sequence && !sequence) {
    return InvalidArgumentError("StartingPosition of type " + std::string(*type) + " needs a SequenceNumber.");
  }
  if (r.start.type == stream::IteratorType::kAtTimestamp && !timestamp) {
    return InvalidArgumentError("StartingPosition of type AT_TIMESTAMP needs a Timestamp.");
  }
  if (sequence) r.start.sequence_number = std::string(*sequence);
  r.start.timestamp_millis = timestamp.value_or(0);
  *out = std::move(r);
  return std::nullopt;
}

template <class F>
std::optional<AwsError> ParseBody(Operation op, F& f, int64_t now_millis, Request* out) {
  auto& reader = f.reader();
  switch (op) {
    case Operation::kRegisterStreamConsumer:
    case Operation::kDescribeStreamConsumer:
    case Operation::kDeregisterStreamConsumer:
    case Operation::kListStreamConsumers:
      return ParseConsumer(op, f, out);
    case Operation::kSubscribeToShard:
      return ParseSubscribeToShard(f, out);
    case Operation::kCreateStream:
      return ParseCreateStream(f, out);
    case Operation::kDeleteStream: {
      DeleteStreamRequest r;
      r.stream = f.ReadStream();
      reader.Boolean(f.root(), "EnforceConsumerDeletion");
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kDescribeStream: {
      DescribeStreamRequest r;
      r.stream = f.ReadStream();
      r.limit = static_cast<int>(f.ReadInt("Limit", "limit", false, 1, 10000).value_or(100));
      if (auto start = f.ReadName("ExclusiveStartShardId", "exclusiveStartShardId", false)) {
        r.exclusive_start_shard_id = std::string(*start);
      }
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kDescribeStreamSummary:
      *out = DescribeStreamSummaryRequest{f.ReadStream()};
      return std::nullopt;
    case Operation::kListStreams: {
      ListStreamsRequest r;
      r.limit = static_cast<int>(f.ReadInt("Limit", "limit", false, 1, 10000).value_or(100));
      auto start = f.ReadName("ExclusiveStartStreamName", "exclusiveStartStreamName", false);
      auto token = reader.String(f.root(), "NextToken");
      if (token) reader.CheckLength("nextToken", *token, 1, 1048576);
      if (auto error = reader.Finish()) return error;
      if (token) {
        std::string unused;
        if (auto error = ReadNextToken(*token, "streams", now_millis, &r.exclusive_start_stream_name, &unused)) {
          return error;
        }
      } else if (start) {
        r.exclusive_start_stream_name = std::string(*start);
      }
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kListShards:
      return ParseListShards(f, now_millis, out);
    case Operation::kPutRecord: {
      PutRecordRequest r;
      r.stream = f.ReadStream();
      r.entry = f.ReadEntry(f.root(), "");
      if (auto seq = reader.String(f.root(), "SequenceNumberForOrdering")) {
        reader.CheckDecimalPattern("sequenceNumberForOrdering", *seq, 128);
      }
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kPutRecords: {
      PutRecordsRequest r;
      auto records = reader.List(f.root(), "Records");
      reader.CheckNotNull("records", records.has_value());
      if (records) {
        size_t count = records->size();
        // AWS shows the list as Java objects; the count is what matters.
        reader.CheckCount("records", count, 1, 500, "[" + std::to_string(count) + " PutRecordsRequestEntry]");
        r.entries.reserve(std::min<size_t>(count, 500));
        size_t index = 0;
        for (auto element : *records) {
          ++index;
          if (index > 500) break;  // already a validation error; do not decode the rest
          std::string prefix = "records." + std::to_string(index) + ".member.";
          auto entry = reader.AsStructure(element);
          if (reader.failed()) break;
          if (!entry) {
            reader.CheckNotNull("records." + std::to_string(index) + ".member", false);
            continue;
          }
          r.entries.push_back(f.ReadEntry(*entry, prefix));
          if (reader.failed()) break;
        }
      }
      r.stream = f.ReadStream();
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kGetShardIterator:
      return ParseGetShardIterator(f, out);
    case Operation::kGetRecords: {
      GetRecordsRequest r;
      auto iterator = reader.String(f.root(), "ShardIterator");
      reader.CheckNotNull("shardIterator", iterator.has_value());
      if (iterator) reader.CheckLength("shardIterator", *iterator, 1, 512);
      r.limit = static_cast<int>(f.ReadInt("Limit", "limit", false, 1, 10000).value_or(10000));
      if (iterator) r.shard_iterator = std::string(*iterator);
      // StreamARN may accompany the iterator; the iterator already names the stream.
      reader.String(f.root(), "StreamARN");
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kIncreaseStreamRetentionPeriod:
    case Operation::kDecreaseStreamRetentionPeriod: {
      RetentionRequest r;
      r.stream = f.ReadStream();
      auto hours = reader.Integer(f.root(), "RetentionPeriodHours");
      reader.CheckNotNull("retentionPeriodHours", hours.has_value());
      // AWS validates the range in the operation (InvalidArgumentException
      // naming the bounds), so the engine checks 24..8760.
      r.hours = static_cast<int>(hours.value_or(0));
      r.increase = op == Operation::kIncreaseStreamRetentionPeriod;
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kSplitShard: {
      SplitShardRequest r;
      r.stream = f.ReadStream();
      auto key = reader.String(f.root(), "NewStartingHashKey");
      reader.CheckNotNull("newStartingHashKey", key.has_value());
      if (key) reader.CheckDecimalPattern("newStartingHashKey", *key, 38);
      auto shard = f.ReadName("ShardToSplit", "shardToSplit", true);
      if (key) r.new_starting_hash_key = std::string(*key);
      if (shard) r.shard_to_split = std::string(*shard);
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kMergeShards: {
      MergeShardsRequest r;
      auto adjacent = f.ReadName("AdjacentShardToMerge", "adjacentShardToMerge", true);
      auto shard = f.ReadName("ShardToMerge", "shardToMerge", true);
      r.stream = f.ReadStream();
      if (adjacent) r.adjacent_shard_to_merge = std::string(*adjacent);
      if (shard) r.shard_to_merge = std::string(*shard);
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kUpdateShardCount: {
      UpdateShardCountRequest r;
      r.stream = f.ReadStream();
      r.target_shard_count = static_cast<int>(f.ReadInt("TargetShardCount", "targetShardCount", true, 1, 100000).value_or(0));
      f.ReadEnum("ScalingType", "scalingType", true, {"UNIFORM_SCALING"});
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kAddTagsToStream: {
      AddTagsRequest r;
      r.stream = f.ReadStream();
      auto tags = reader.Map(f.root(), "Tags");
      reader.CheckNotNull("tags", tags.has_value());
      if (tags) {
        for (auto [key, value] : *tags) {
          auto v = reader.AsString(value);
          if (reader.failed()) break;
          r.tags[std::string(key)] = std::string(v.value_or(""));
        }
        reader.CheckCount("tags", r.tags.size(), 1, 200, "{" + std::to_string(r.tags.size()) + " tags}");
      }
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kRemoveTagsFromStream: {
      RemoveTagsRequest r;
      r.stream = f.ReadStream();
      auto keys = reader.List(f.root(), "TagKeys");
      reader.CheckNotNull("tagKeys", keys.has_value());
      if (keys) {
        for (auto element : *keys) {
          auto key = reader.AsString(element);
          if (reader.failed()) break;
          if (key) r.keys.emplace_back(*key);
        }
        reader.CheckCount("tagKeys", r.keys.size(), 1, 50, "[" + std::to_string(r.keys.size()) + " keys]");
      }
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kListTagsForStream: {
      ListTagsRequest r;
      r.stream = f.ReadStream();
      if (auto start = reader.String(f.root(), "ExclusiveStartTagKey")) {
        reader.CheckLength("exclusiveStartTagKey", *start, 1, 128);
        r.exclusive_start_tag_key = std::string(*start);
      }
      r.limit = static_cast<int>(f.ReadInt("Limit", "limit", false, 1, 50).value_or(50));
      *out = std::move(r);
      return std::nullopt;
    }
    case Operation::kDescribeLimits:
      *out = DescribeLimitsRequest{};
      return std::nullopt;
  }
  return SerializationError("unknown operation");
}

}  // namespace

std::optional<Operation> ParseOperation(std::string_view name) {
  for (const auto& [text, op] : kOperations) {
    if (text == name) return op;
  }
  return std::nullopt;
}

std::string_view OperationName(Operation op) {
  for (const auto& [text, o] : kOperations) {
    if (o == op) return text;
  }
  return "";
}

std::optional<AwsError> ParseRequest(Operation op, std::string_view body, simdjson::dom::parser& parser,
                                     int64_t now_millis, Request* out) {
  // An empty body is an empty request: the CLI sends "{}" but some clients
  // send nothing for operations without members (DescribeLimits).
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) body = "{}";
  simdjson::dom::object root;
  if (auto error = ParseJsonObject(parser, body, &root)) return error;
  Fields<SimdjsonReader> fields(root);
  if (auto error = ParseBody(op, fields, now_millis, out)) return error;
  return fields.reader().Finish();
}

std::optional<AwsError> ParseCborRequest(Operation op, std::string_view body, int64_t now_millis, Request* out) {
  cbor::Document doc;
  cbor::Value empty;
  empty.type = cbor::Value::Type::kMap;
  const cbor::Value* root = &empty;
  // As with JSON, an empty body is an empty request.
  if (!body.empty()) {
    if (auto error = doc.Parse(body)) return SerializationError(*error);
    if (!doc.root().is_map()) return SerializationError("Start of structure or map found where not expected.");
    root = &doc.root();
  }
  Fields<CborReader> fields{CborObject(root)};
  if (auto error = ParseBody(op, fields, now_millis, out)) return error;
  return fields.reader().Finish();
}

std::string MakeNextToken(std::string_view kind, int64_t now_millis, std::string_view a, std::string_view b) {
  std::string raw;
  raw.reserve(kind.size() + a.size() + b.size() + 24);
  raw.append(kind).append("|").append(std::to_string(now_millis)).append("|").append(a).append("|").append(b);
  return Base64Encode(raw);
}

}  // namespace aws::kinesis
