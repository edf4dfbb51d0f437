// The adapter against the real StreamEngine in a temporary folder: requests
// go in as the gateway would hand them over, answers are checked as a client
// would see them.
#include "aws/kinesis/kinesis_handler.h"

#include <filesystem>
#include <future>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aws/common/base64.h"

namespace aws::kinesis {
namespace {

using nlohmann::json;

class KinesisHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kinesis_handler_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    stream::StreamEngineOptions options;
    options.data_dir = dir_.string();
    options.clock = &clock_;
    options.start_retention_thread = false;
    auto engine = stream::StreamEngine::Open(options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    handler_ = std::make_unique<KinesisHandler>(engine_.get(), &clock_);
  }
  void TearDown() override {
    handler_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Sends one request and waits for its answer (PutRecords answer from the
  // engine's commit thread).
  gateway::Response Send(std::string_view operation, std::string body, bool signed_request = true) {
    gateway::Request request;
    request.method = "POST";
    request.target = request.path = "/";
    request.request_id = "req-1";
    request.headers.Add("X-Amz-Target", std::string(kTargetPrefix) + "." + std::string(operation));
    request.headers.Add("Content-Type", "application/x-amz-json-1.1");
    if (signed_request) {
      request.headers.Add("Authorization",
                          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, "
                          "SignedHeaders=host;x-amz-date, Signature=0123abcd");
    }
    request.body = std::move(body);
    std::promise<gateway::Response> answer;
    auto future = answer.get_future();
    handler_->Handle(request, [&answer](gateway::Response r) { answer.set_value(std::move(r)); });
    return future.get();
  }
  // Sends and expects 200; returns the parsed body.
  json Ok(std::string_view operation, const json& body) {
    gateway::Response r = Send(operation, body.dump());
    EXPECT_EQ(r.status, 200) << operation << ": " << r.body;
    return r.body.empty() ? json::object() : json::parse(r.body, nullptr, false);
  }
  // Sends and expects an AWS error; returns {"__type", "message"}.
  json Error(std::string_view operation, std::string body, int status = 400) {
    gateway::Response r = Send(operation, std::move(body));
    EXPECT_EQ(r.status, status) << operation << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  common::ManualClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<stream::StreamEngine> engine_;
  std::unique_ptr<KinesisHandler> handler_;
};

TEST_F(KinesisHandlerTest, UnknownOperationIsRejected) {
  EXPECT_EQ(Error("EnableEnhancedMonitoring", "{}")["__type"], "UnknownOperationException");
  EXPECT_EQ(Error("NoSuchThing", "{}")["__type"], "UnknownOperationException");
}

TEST_F(KinesisHandlerTest, ErrorsCarryAwsHeaders) {
  gateway::Response r = Send("CreateStream", "{");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["__type"], "SerializationException");
  bool has_type = false, has_id = false;
  for (const auto& [name, value] : r.headers.items()) {
    has_type |= name == "x-amzn-ErrorType" && value == "SerializationException";
    has_id |= name == "x-amzn-RequestId" && value == "req-1";
  }
  EXPECT_TRUE(has_type);
  EXPECT_TRUE(has_id);
}

TEST_F(KinesisHandlerTest, ValidationHappensBeforeTheEngine) {
  json e = Error("PutRecord", R"({"StreamName":"s","Data":"AA=="})");
  EXPECT_EQ(e["__type"], "ValidationException");
  EXPECT_EQ(e["message"],
            "1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: Member must "
            "not be null");
}

TEST_F(KinesisHandlerTest, PutRecordsAnswerAfterCommitAndReadBack) {
  Ok("CreateStream", {{"StreamName", "s"}, {"ShardCount", 2}});
  json records = json::array();
  for (int i = 0; i < 10; ++i) {
    records.push_back({{"PartitionKey", "k" + std::to_string(i)}, {"Data", Base64Encode("v" + std::to_string(i))}});
  }
  json put = Ok("PutRecords", {{"StreamName", "s"}, {"Records", records}});
  EXPECT_EQ(put["FailedRecordCount"], 0);
  ASSERT_EQ(put["Records"].size(), 10u);
  size_t read = 0;
  for (std::string shard : {"shardId-000000000000", "shardId-000000000001"}) {
    json it = Ok("GetShardIterator",
                 {{"StreamName", "s"}, {"ShardId", shard}, {"ShardIteratorType", "TRIM_HORIZON"}});
    json out = Ok("GetRecords", {{"ShardIterator", it["ShardIterator"]}});
    for (const json& r : out["Records"]) {
      EXPECT_TRUE(r["ApproximateArrivalTimestamp"].is_number_float());
      EXPECT_EQ(r["Data"].get<std::string>(),
                Base64Encode("v" + r["PartitionKey"].get<std::string>().substr(1)));
    }
    read += out["Records"].size();
    EXPECT_TRUE(out.contains("NextShardIterator"));
    EXPECT_EQ(out["MillisBehindLatest"], 0);
  }
  EXPECT_EQ(read, 10u);
}

TEST_F(KinesisHandlerTest, UnknownStreamUsesAwsMessage) {
  json e = Error("DescribeStreamSummary", R"({"StreamName":"nope"})");
  EXPECT_EQ(e["__type"], "ResourceNotFoundException");
  EXPECT_EQ(e["message"], "Stream nope under account 000000000000 not found.");
}

TEST_F(KinesisHandlerTest, IteratorExpiresAfterFiveMinutes) {
  Ok("CreateStream", {{"StreamName", "s"}, {"ShardCount", 1}});
  json it = Ok("GetShardIterator",
               {{"StreamName", "s"}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "LATEST"}});
  clock_.AdvanceMillis(301'000);
  json e = Error("GetRecords", json{{"ShardIterator", it["ShardIterator"]}}.dump());
  EXPECT_EQ(e["__type"], "ExpiredIteratorException");
}

TEST_F(KinesisHandlerTest, ClosedShardEndsWithChildShards) {
  Ok("CreateStream", {{"StreamName", "s"}, {"ShardCount", 1}});
  Ok("PutRecord", {{"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", "AA=="}});
  Ok("SplitShard", {{"StreamName", "s"},
                    {"ShardToSplit", "shardId-000000000000"},
                    {"NewStartingHashKey", "170141183460469231731687303715884105728"}});
  json it = Ok("GetShardIterator",
               {{"StreamName", "s"}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "TRIM_HORIZON"}});
  json out = Ok("GetRecords", {{"ShardIterator", it["ShardIterator"]}});
  EXPECT_EQ(out["Records"].size(), 1u);
  EXPECT_FALSE(out.contains("NextShardIterator"));
  ASSERT_EQ(out["ChildShards"].size(), 2u);
  for (const json& child : out["ChildShards"]) {
    EXPECT_EQ(child["ParentShards"], json::array({"shardId-000000000000"}));
    EXPECT_TRUE(child["HashKeyRange"].contains("StartingHashKey"));
  }
  json summary = Ok("DescribeStreamSummary", {{"StreamName", "s"}});
  EXPECT_EQ(summary["StreamDescriptionSummary"]["OpenShardCount"], 2);
}

TEST_F(KinesisHandlerTest, ListShardsPagesAndTokensExpire) {
  Ok("CreateStream", {{"StreamName", "s"}, {"ShardCount", 3}});
  json first = Ok("ListShards", {{"StreamName", "s"}, {"MaxResults", 2}});
  ASSERT_EQ(first["Shards"].size(), 2u);
  ASSERT_TRUE(first.contains("NextToken"));
  json second = Ok("ListShards", {{"NextToken", first["NextToken"]}});
  ASSERT_EQ(second["Shards"].size(), 1u);
  EXPECT_EQ(second["Shards"][0]["ShardId"], "shardId-000000000002");
  EXPECT_FALSE(second.contains("NextToken"));
  clock_.AdvanceMillis(301'000);
  EXPECT_EQ(Error("ListShards", json{{"NextToken", first["NextToken"]}}.dump())["__type"],
            "ExpiredNextTokenException");
}

TEST_F(KinesisHandlerTest, RejectedPutStoresNothing) {
  Ok("CreateStream", {{"StreamName", "s"}, {"ShardCount", 1}});
  Error("PutRecords", R"({"StreamName":"s","Records":[{"PartitionKey":"a","Data":"AA=="},{"PartitionKey":"b","Data":"A"}]})");
  Error("PutRecords", R"({"StreamName":"s","Records":[{"PartitionKey":"a","Data":"AA=="},{"Data":"AA=="}]})");
  json it = Ok("GetShardIterator",
               {{"StreamName", "s"}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "TRIM_HORIZON"}});
  EXPECT_TRUE(Ok("GetRecords", {{"ShardIterator", it["ShardIterator"]}})["Records"].empty());
}

TEST_F(KinesisHandlerTest, TagsAndLimits) {
  Ok("CreateStream", {{"StreamName", "s"}, {"ShardCount", 2}, {"Tags", {{"b", "2"}, {"a", "1"}}}});
  json tags = Ok("ListTagsForStream", {{"StreamName", "s"}, {"Limit", 1}});
  EXPECT_EQ(tags["Tags"], json::parse(R"([{"Key":"a","Value":"1"}])"));
  EXPECT_EQ(tags["HasMoreTags"], true);
  json limits = Ok("DescribeLimits", json::object());
  EXPECT_EQ(limits["OpenShardCount"], 2);
  EXPECT_GE(limits["ShardLimit"].get<int>(), 2);
}

TEST(StatusMappingTest, EachEngineCodeHasItsException) {
  using common::Status;
  EXPECT_EQ(StatusToAwsError(Status::NotFound("x")).type, "ResourceNotFoundException");
  EXPECT_EQ(StatusToAwsError(Status::ResourceInUse("x")).type, "ResourceInUseException");
  EXPECT_EQ(StatusToAwsError(Status::InvalidArgument("x")).type, "InvalidArgumentException");
  EXPECT_EQ(StatusToAwsError(Status::LimitExceeded("x")).type, "LimitExceededException");
  EXPECT_EQ(StatusToAwsError(Status::Expired("x")).type, "ExpiredIteratorException");
  EXPECT_EQ(StatusToAwsError(Status::Throttled("x")).type, "ProvisionedThroughputExceededException");
  AwsError internal = StatusToAwsError(Status::IOError("disk"));
  EXPECT_EQ(internal.type, "InternalFailure");
  EXPECT_EQ(internal.http_status, 500);
  EXPECT_EQ(StatusToAwsError(Status::NotFound("Stream x under account 000000000000 not found.")).message,
            "Stream x under account 000000000000 not found.");
}

}  // namespace
}  // namespace aws::kinesis
