#include "aws/dynamodb/dynamodb_handler.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "table/table_engine.h"

namespace aws::dynamodb {
namespace {

class DynamoDbHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ddb_handler_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    table::TableEngineOptions options;
    options.sync_writes = false;
    options.ttl_interval_millis = 0;
    engine_ = table::TableEngine::Open(dir_.string(), options).value();
    handler_ = std::make_unique<DynamoDbHandler>(engine_.get(), 0);
    ASSERT_EQ(Call("CreateTable", R"({"TableName":"orders",
      "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
      "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"customer","AttributeType":"S"}],
      "GlobalSecondaryIndexes":[{"IndexName":"by_customer","KeySchema":[{"AttributeName":"customer","KeyType":"HASH"}],
        "Projection":{"ProjectionType":"ALL"}}],
      "BillingMode":"PAY_PER_REQUEST"})").status, 200);
  }
  void TearDown() override {
    handler_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  gateway::Response Call(const std::string& op, const std::string& body) {
    gateway::Request r;
    r.method = "POST";
    r.path = "/";
    r.headers.Add("X-Amz-Target", std::string(kTargetPrefix) + "." + op);
    r.body = body;
    r.request_id = "req-1";
    return handler_->HandleSync(r);
  }

  std::filesystem::path dir_;
  std::unique_ptr<table::TableEngine> engine_;
  std::unique_ptr<DynamoDbHandler> handler_;
};

TEST_F(DynamoDbHandlerTest, PutThenGetRoundTripsEveryType) {
  auto put = Call("PutItem", R"({"TableName":"orders","Item":{"id":{"S":"o1"},"n":{"N":"1.50"},"b":{"B":"AAE="},
    "t":{"BOOL":true},"z":{"NULL":true},"m":{"M":{"x":{"L":[{"S":"a"},{"N":"2"}]}}},
    "ss":{"SS":["b","a"]},"ns":{"NS":["2","10"]},"bs":{"BS":["AA=="]}}})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body, "{}");
  auto get = Call("GetItem", R"({"TableName":"orders","Key":{"id":{"S":"o1"}}})");
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(get.body,
            R"({"Item":{"b":{"B":"AAE="},"bs":{"BS":["AA=="]},"id":{"S":"o1"},"m":{"M":{"x":{"L":[{"S":"a"},{"N":"2"}]}}},)"
            R"("n":{"N":"1.5"},"ns":{"NS":["10","2"]},"ss":{"SS":["a","b"]},"t":{"BOOL":true},"z":{"NULL":true}}})");
}

TEST_F(DynamoDbHandlerTest, ConditionalCheckFailureReturnsItemWhenAsked) {
  ASSERT_EQ(Call("PutItem", R"({"TableName":"orders","Item":{"id":{"S":"o1"},"v":{"N":"1"}}})").status, 200);
  auto r = Call("PutItem", R"J({"TableName":"orders","Item":{"id":{"S":"o1"}},
    "ConditionExpression":"attribute_not_exists(id)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"})J");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
                    R"("message":"The conditional request failed","Item":{"id":{"S":"o1"},"v":{"N":"1"}}})");
}

TEST_F(DynamoDbHandlerTest, ErrorsUseAwsTypes) {
  auto missing = Call("DescribeTable", R"({"TableName":"nope"})");
  EXPECT_NE(missing.body.find("#ResourceNotFoundException"), std::string::npos);
  auto again = Call("CreateTable", R"({"TableName":"orders","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
    "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]})");
  EXPECT_NE(again.body.find("#ResourceInUseException"), std::string::npos);
  auto bad = Call("UpdateItem", R"({"TableName":"orders","Key":{"id":{"S":"o1"}},"UpdateExpression":"SET status = :s",
    "ExpressionAttributeValues":{":s":{"S":"x"}}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("#ValidationException"), std::string::npos);
  EXPECT_NE(bad.body.find("reserved keyword: status"), std::string::npos);
  auto two_types = Call("PutItem", R"({"TableName":"orders","Item":{"id":{"S":"o1","N":"1"}}})");
  EXPECT_NE(two_types.body.find("more than one datatypes"), std::string::npos);
  auto dup = Call("PutItem", R"({"TableName":"orders","Item":{"id":{"S":"o1"},"s":{"SS":["a","a"]}}})");
  EXPECT_NE(dup.body.find("contains duplicates"), std::string::npos);
  auto garbage = Call("GetItem", "{not json");
  EXPECT_NE(garbage.body.find("SerializationException"), std::string::npos);
  auto unknown = Call("FlyToTheMoon", "{}");
  EXPECT_NE(unknown.body.find("UnknownOperationException"), std::string::npos);
}

TEST_F(DynamoDbHandlerTest, TransactionCancellationListsReasons) {
  ASSERT_EQ(Call("PutItem", R"({"TableName":"orders","Item":{"id":{"S":"o1"}}})").status, 200);
  auto r = Call("TransactWriteItems", R"J({"TransactItems":[
    {"Put":{"TableName":"orders","Item":{"id":{"S":"o2"}}}},
    {"ConditionCheck":{"TableName":"orders","Key":{"id":{"S":"o1"}},"ConditionExpression":"attribute_not_exists(id)"}}]})J");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("#TransactionCanceledException"), std::string::npos);
  EXPECT_NE(r.body.find(R"("CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed")"), std::string::npos) << r.body;
  auto get = Call("GetItem", R"({"TableName":"orders","Key":{"id":{"S":"o2"}}})");
  EXPECT_EQ(get.body, "{}");
}

TEST_F(DynamoDbHandlerTest, QueryOnIndexWithPagination) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Call("PutItem", R"({"TableName":"orders","Item":{"id":{"S":"o)" + std::to_string(i) +
                                  R"("},"customer":{"S":"c1"}}})").status, 200);
  }
  auto r = Call("Query", R"({"TableName":"orders","IndexName":"by_customer","KeyConditionExpression":"customer = :c",
    "ExpressionAttributeValues":{":c":{"S":"c1"}},"Limit":3})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("Count":3)"), std::string::npos);
  EXPECT_NE(r.body.find(R"("LastEvaluatedKey":{"customer":{"S":"c1"},"id":{"S":"o2"}})"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace aws::dynamodb
