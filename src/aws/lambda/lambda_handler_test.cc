// Drives the Lambda REST adapter with the real functions runtime, stream and
// table engines in a temporary folder.
#include "aws/lambda/lambda_handler.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "functions/checkpoint_store.h"
#include "stream/stream_engine.h"
#include "table/table_engine.h"

namespace aws::lambda {
namespace {

using nlohmann::json;

class NoopFunction final : public functions::Function {
 public:
  functions::InvocationResult Invoke(const functions::Batch&, const functions::InvocationContext&) override {
    return functions::InvocationResult::Success();
  }
};

class LambdaHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("lambda_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    stream::StreamEngineOptions options;
    options.data_dir = dir_.string();
    options.durability = stream::Durability::kNone;
    streams_ = std::move(stream::StreamEngine::Open(options).value());
    table::TableEngineOptions table_options;
    table_options.sync_writes = false;
    table_options.ttl_interval_millis = 0;
    tables_ = std::move(table::TableEngine::Open((dir_ / "tables").string(), table_options).value());
    checkpoints_ = std::move(functions::TableCheckpointStore::Open(tables_.get()).value());
    runtime_ = std::make_unique<functions::FunctionRuntime>(streams_.get(), checkpoints_.get());
    ASSERT_TRUE(runtime_->RegisterFunction("order-processor", std::make_shared<NoopFunction>()).ok());
    ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
    handler_ = std::make_unique<LambdaHandler>(runtime_.get());
  }
  void TearDown() override {
    handler_.reset();
    runtime_.reset();
    checkpoints_.reset();
    tables_.reset();
    streams_.reset();
    std::filesystem::remove_all(dir_);
  }

  gateway::Response Call(std::string method, std::string path, std::string body = "") {
    gateway::Request request;
    request.method = std::move(method);
    auto q = path.find('?');
    request.path = path.substr(0, q);
    request.query = q == std::string::npos ? "" : path.substr(q + 1);
    request.target = path;
    request.body = std::move(body);
    request.request_id = "req-1";
    return handler_->Handle(request);
  }

  std::filesystem::path dir_;
  std::unique_ptr<stream::StreamEngine> streams_;
  std::unique_ptr<table::TableEngine> tables_;
  std::unique_ptr<functions::TableCheckpointStore> checkpoints_;
  std::unique_ptr<functions::FunctionRuntime> runtime_;
  std::unique_ptr<LambdaHandler> handler_;
};

TEST_F(LambdaHandlerTest, MappingLifecycleThroughTheRestApi) {
  auto created = Call("POST", "/2015-03-31/event-source-mappings/",
                      R"({"FunctionName":"order-processor","StartingPosition":"TRIM_HORIZON",
                          "EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/orders",
                          "BatchSize":50,"FunctionResponseTypes":["ReportBatchItemFailures"]})");
  ASSERT_EQ(created.status, 202) << created.body;
  json mapping = json::parse(created.body);
  std::string uuid = mapping["UUID"];
  EXPECT_EQ(mapping["BatchSize"], 50);
  EXPECT_EQ(mapping["State"], "Enabled");
  EXPECT_EQ(mapping["FunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:order-processor");
  EXPECT_EQ(mapping["FunctionResponseTypes"], json::array({"ReportBatchItemFailures"}));

  auto listed = json::parse(Call("GET", "/2015-03-31/event-source-mappings/?FunctionName=order-processor").body);
  ASSERT_EQ(listed["EventSourceMappings"].size(), 1u);
  EXPECT_EQ(listed["EventSourceMappings"][0]["UUID"], uuid);

  auto updated = Call("PUT", "/2015-03-31/event-source-mappings/" + uuid, R"({"Enabled":false,"BatchSize":10})");
  ASSERT_EQ(updated.status, 202) << updated.body;
  EXPECT_EQ(json::parse(updated.body)["State"], "Disabled");
  EXPECT_EQ(json::parse(Call("GET", "/2015-03-31/event-source-mappings/" + uuid).body)["BatchSize"], 10);

  EXPECT_EQ(Call("DELETE", "/2015-03-31/event-source-mappings/" + uuid).status, 202);
  EXPECT_EQ(Call("GET", "/2015-03-31/event-source-mappings/" + uuid).status, 404);
}

TEST_F(LambdaHandlerTest, ErrorsUseLambdaTypesAndStatusCodes) {
  auto unknown_fn = Call("POST", "/2015-03-31/event-source-mappings/",
                         R"({"FunctionName":"nope","StartingPosition":"LATEST","EventSourceArn":"orders"})");
  EXPECT_EQ(unknown_fn.status, 404);
  EXPECT_EQ(unknown_fn.headers.Get("X-Amzn-ErrorType"), "ResourceNotFoundException");

  auto bad_batch = Call("POST", "/2015-03-31/event-source-mappings/",
                        R"({"FunctionName":"order-processor","StartingPosition":"LATEST","EventSourceArn":"orders","BatchSize":0})");
  EXPECT_EQ(bad_batch.status, 400);
  EXPECT_EQ(bad_batch.headers.Get("X-Amzn-ErrorType"), "InvalidParameterValueException");
  EXPECT_NE(bad_batch.body.find("BatchSize is 0"), std::string::npos);

  EXPECT_EQ(Call("POST", "/2015-03-31/event-source-mappings/", "{not json").status, 400);
  EXPECT_EQ(Call("GET", "/2015-03-31/event-source-mappings/no-such-uuid").status, 404);
  EXPECT_TRUE(runtime_->ListMappings().empty());  // nothing was created by the bad calls
}

TEST_F(LambdaHandlerTest, FunctionsAreListedWithArns) {
  auto list = json::parse(Call("GET", "/2015-03-31/functions/").body);
  ASSERT_EQ(list["Functions"].size(), 1u);
  EXPECT_EQ(list["Functions"][0]["FunctionName"], "order-processor");
  EXPECT_EQ(Call("GET", "/2015-03-31/functions/order-processor").status, 200);
  EXPECT_EQ(Call("GET", "/2015-03-31/functions/missing").status, 404);
}

}  // namespace
}  // namespace aws::lambda
