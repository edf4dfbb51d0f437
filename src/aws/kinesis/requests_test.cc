#include "aws/kinesis/requests.h"

#include <gtest/gtest.h>

#include "aws/common/base64.h"

namespace aws::kinesis {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

class RequestsTest : public ::testing::Test {
 protected:
  // Parses and expects success.
  template <typename T>
  T Parse(Operation op, std::string_view body) {
    Request out;
    auto error = ParseRequest(op, body, parser_, kNow, &out);
    EXPECT_FALSE(error.has_value()) << error->type << ": " << error->message;
    EXPECT_TRUE(std::holds_alternative<T>(out));
    return std::holds_alternative<T>(out) ? std::get<T>(out) : T{};
  }
  // Parses and expects an error.
  AwsError Fail(Operation op, std::string_view body, int64_t now = kNow) {
    Request out;
    auto error = ParseRequest(op, body, parser_, now, &out);
    EXPECT_TRUE(error.has_value()) << body;
    return error.value_or(AwsError{});
  }

  simdjson::dom::parser parser_;
};

TEST_F(RequestsTest, OperationNamesRoundTrip) {
  for (auto name : {"PutRecords", "ListShards", "DescribeLimits", "UpdateShardCount", "SubscribeToShard"}) {
    auto op = ParseOperation(name);
    ASSERT_TRUE(op.has_value()) << name;
    EXPECT_EQ(OperationName(*op), name);
  }
  EXPECT_FALSE(ParseOperation("EnableEnhancedMonitoring").has_value());
  EXPECT_FALSE(ParseOperation("putrecords").has_value());
}

TEST_F(RequestsTest, CreateStreamWithoutNameIsValidationException) {
  AwsError e = Fail(Operation::kCreateStream, R"({"ShardCount": 1})");
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(e.message,
            "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not "
            "be null");
}

TEST_F(RequestsTest, CreateStreamReportsEveryBrokenConstraint) {
  AwsError e = Fail(Operation::kCreateStream, R"({"StreamName": "a/b", "ShardCount": 0})");
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(e.message.substr(0, 30), "2 validation errors detected: ");
  EXPECT_NE(e.message.find("Value 'a/b' at 'streamName' failed to satisfy constraint: Member must satisfy regular "
                           "expression pattern: [a-zA-Z0-9_.-]+"),
            std::string::npos);
  EXPECT_NE(e.message.find("Value '0' at 'shardCount'"), std::string::npos);
}

TEST_F(RequestsTest, CreateStreamModes) {
  auto provisioned = Parse<CreateStreamRequest>(Operation::kCreateStream, R"({"StreamName":"s","ShardCount":3})");
  EXPECT_EQ(provisioned.mode, stream::StreamMode::kProvisioned);
  EXPECT_EQ(provisioned.shard_count, 3);
  auto on_demand = Parse<CreateStreamRequest>(
      Operation::kCreateStream, R"({"StreamName":"s","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  EXPECT_EQ(on_demand.mode, stream::StreamMode::kOnDemand);
  EXPECT_EQ(on_demand.shard_count, 0);
  AwsError bad = Fail(Operation::kCreateStream, R"({"StreamName":"s","StreamModeDetails":{"StreamMode":"FAST"}})");
  EXPECT_NE(bad.message.find("Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]"), std::string::npos);
}

TEST_F(RequestsTest, WrongTypeIsSerializationException) {
  AwsError e = Fail(Operation::kCreateStream, R"({"StreamName": "s", "ShardCount": "1"})");
  EXPECT_EQ(e.type, "SerializationException");
  EXPECT_EQ(e.message, "class java.lang.String can not be converted to an Integer");
}

TEST_F(RequestsTest, MalformedJsonIsSerializationException) {
  EXPECT_EQ(Fail(Operation::kPutRecord, R"({"StreamName": "s",)").type, "SerializationException");
  EXPECT_EQ(Fail(Operation::kPutRecord, "null").type, "SerializationException");
}

TEST_F(RequestsTest, EmptyBodyIsAnEmptyRequest) {
  Parse<DescribeLimitsRequest>(Operation::kDescribeLimits, "");
  EXPECT_EQ(Fail(Operation::kDescribeStream, "").type, "ValidationException");
}

TEST_F(RequestsTest, StreamArnStandsInForTheName) {
  auto r = Parse<DescribeStreamSummaryRequest>(
      Operation::kDescribeStreamSummary, R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/orders"})");
  EXPECT_EQ(r.stream, "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
}

TEST_F(RequestsTest, PutRecordDecodesDataAndChecksKey) {
  auto r = Parse<PutRecordRequest>(Operation::kPutRecord,
                                   R"({"StreamName":"s","PartitionKey":"k","Data":"aGVsbG8=","ExplicitHashKey":"7"})");
  EXPECT_EQ(r.entry.data, "hello");
  EXPECT_EQ(r.entry.partition_key, "k");
  EXPECT_EQ(r.entry.explicit_hash_key, "7");
  AwsError e = Fail(Operation::kPutRecord, R"({"StreamName":"s","PartitionKey":"","Data":""})");
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_NE(e.message.find("at 'partitionKey' failed to satisfy constraint: Member must have length greater than "
                           "or equal to 1"),
            std::string::npos);
}

TEST_F(RequestsTest, PutRecordBadBase64IsSerializationException) {
  AwsError e = Fail(Operation::kPutRecord, R"({"StreamName":"s","PartitionKey":"k","Data":"abc!"})");
  EXPECT_EQ(e.type, "SerializationException");
  EXPECT_EQ(e.message, "'abc!' can not be converted to a Blob: Invalid Base64 character: '!'");
}

TEST_F(RequestsTest, OversizedRecordNamesTheEntry) {
  std::string data = Base64Encode(std::string((1 << 20) + 1, 'x'));
  std::string body = R"({"StreamName":"s","Records":[{"PartitionKey":"k","Data":"AA=="},{"PartitionKey":"k","Data":")" +
                     data + R"("}]})";
  AwsError e = Fail(Operation::kPutRecords, body);
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(e.message,
            "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at "
            "'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to "
            "1048576");
}

TEST_F(RequestsTest, PutRecordsBatchLimits) {
  EXPECT_NE(Fail(Operation::kPutRecords, R"({"StreamName":"s","Records":[]})")
                .message.find("at 'records' failed to satisfy constraint: Member must have length greater than or "
                              "equal to 1"),
            std::string::npos);
  std::string body = R"({"StreamName":"s","Records":[)";
  for (int i = 0; i < 501; ++i) body += std::string(i ? "," : "") + R"({"PartitionKey":"k","Data":""})";
  body += "]}";
  EXPECT_NE(Fail(Operation::kPutRecords, body).message.find("Member must have length less than or equal to 500"),
            std::string::npos);
}

TEST_F(RequestsTest, PutRecordsKeepsEntryOrder) {
  auto r = Parse<PutRecordsRequest>(
      Operation::kPutRecords,
      R"({"StreamName":"s","Records":[{"PartitionKey":"a","Data":"AQ=="},{"PartitionKey":"b","Data":"Ag=="}]})");
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].partition_key, "a");
  EXPECT_EQ(r.entries[1].data, "\x02");
}

TEST_F(RequestsTest, GetShardIteratorTypesAndSequenceNumbers) {
  auto r = Parse<GetShardIteratorRequest>(
      Operation::kGetShardIterator,
      R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AFTER_SEQUENCE_NUMBER","StartingSequenceNumber":"42"})");
  EXPECT_EQ(r.request.type, stream::IteratorType::kAfterSequenceNumber);
  EXPECT_EQ(r.request.sequence_number, "42");
  AwsError e = Fail(Operation::kGetShardIterator,
                    R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER"})");
  EXPECT_EQ(e.type, "InvalidArgumentException");
  auto at = Parse<GetShardIteratorRequest>(
      Operation::kGetShardIterator,
      R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1700000000.5})");
  EXPECT_EQ(at.request.timestamp_millis, 1700000000500);
  EXPECT_EQ(Fail(Operation::kGetShardIterator,
                 R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"NEWEST"})")
                .type,
            "ValidationException");
}

TEST_F(RequestsTest, GetRecordsLimitRange) {
  EXPECT_EQ(Parse<GetRecordsRequest>(Operation::kGetRecords, R"({"ShardIterator":"x"})").limit, 10000);
  AwsError e = Fail(Operation::kGetRecords, R"({"ShardIterator":"x","Limit":10001})");
  EXPECT_EQ(e.message,
            "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have "
            "value less than or equal to 10000");
}

TEST_F(RequestsTest, ListShardsNeedsStreamOrToken) {
  EXPECT_EQ(Fail(Operation::kListShards, "{}").message, "Either NextToken or StreamName should be provided.");
  std::string token = MakeNextToken("shards", kNow, "s", "shardId-000000000001\x1f" "0\x1f\x1f" "0");
  EXPECT_EQ(Fail(Operation::kListShards, R"({"StreamName":"s","NextToken":")" + token + "\"}").message,
            "NextToken and StreamName cannot be provided together.");
  auto r = Parse<ListShardsRequest>(Operation::kListShards, R"({"NextToken":")" + token + "\"}");
  EXPECT_EQ(r.stream, "s");
  EXPECT_EQ(r.exclusive_start_shard_id, "shardId-000000000001");
}

TEST_F(RequestsTest, ForgedOrExpiredNextTokensAreRejected) {
  EXPECT_EQ(Fail(Operation::kListShards, R"({"NextToken":"bm90IGEgdG9rZW4="})").type, "InvalidArgumentException");
  std::string token = MakeNextToken("shards", kNow, "s", "shardId-000000000001");
  EXPECT_EQ(Fail(Operation::kListShards, R"({"NextToken":")" + token + "\"}", kNow + 301'000).type,
            "ExpiredNextTokenException");
}

TEST_F(RequestsTest, ListShardsFilterIsRead) {
  auto r = Parse<ListShardsRequest>(Operation::kListShards,
                                    R"({"StreamName":"s","ShardFilter":{"Type":"AT_LATEST"},"MaxResults":5})");
  EXPECT_EQ(r.filter.type, stream::ShardFilterType::kAtLatest);
  EXPECT_EQ(r.max_results, 5);
  EXPECT_EQ(Fail(Operation::kListShards, R"({"StreamName":"s","ShardFilter":{"Type":"AFTER_SHARD_ID"}})").type,
            "InvalidArgumentException");
}

TEST_F(RequestsTest, UpdateShardCountNeedsScalingType) {
  AwsError e = Fail(Operation::kUpdateShardCount, R"({"StreamName":"s","TargetShardCount":2})");
  EXPECT_EQ(e.message,
            "1 validation error detected: Value null at 'scalingType' failed to satisfy constraint: Member must not "
            "be null");
}

TEST_F(RequestsTest, TagsAreRead) {
  auto add = Parse<AddTagsRequest>(Operation::kAddTagsToStream, R"({"StreamName":"s","Tags":{"a":"1","b":""}})");
  EXPECT_EQ(add.tags.size(), 2u);
  EXPECT_EQ(Fail(Operation::kAddTagsToStream, R"({"StreamName":"s","Tags":{"a":1}})").type, "SerializationException");
  auto remove = Parse<RemoveTagsRequest>(Operation::kRemoveTagsFromStream, R"({"StreamName":"s","TagKeys":["a"]})");
  EXPECT_EQ(remove.keys, std::vector<std::string>{"a"});
}

}  // namespace
}  // namespace aws::kinesis
