// The change feed's forwarding into a real StreamEngine, with the DynamoDB
// Streams record shape: order, exactly-once across a lost cursor.
#include "aws/dynamodb/stream_record.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "stream/stream_engine.h"
#include "table/table_engine.h"

namespace aws::dynamodb {
namespace {

using table::AttributeValue;

class ChangeForwarderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("change_forwarder_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    stream::StreamEngineOptions so;
    so.data_dir = dir_.string();
    so.start_retention_thread = false;
    streams_ = std::move(stream::StreamEngine::Open(so).value());
    table::TableEngineOptions to;
    to.sync_writes = false;
    to.ttl_interval_millis = 0;
    tables_ = std::move(table::TableEngine::Open((dir_ / "tables").string(), to).value());
    forwarder_ = std::make_unique<table::ChangeForwarder>(tables_.get(), streams_.get(), StreamRecordFormat());
    table::CreateTableRequest r;
    r.table_name = "tbl";
    r.key_schema = {{"id", table::KeyType::kHash}};
    r.attribute_definitions = {{"id", AttributeValue::Type::kS}};
    r.stream_specification = {true, table::StreamViewType::kNewImage};
    ASSERT_TRUE(forwarder_->Start(0).ok());  // no thread: the test calls ForwardOnce
    auto created = tables_->CreateTable(r);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }
  void TearDown() override {
    forwarder_.reset();
    tables_.reset();
    streams_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Put(const std::string& id) {
    table::PutItemRequest p;
    p.table_name = "tbl";
    p.item = {{"id", AttributeValue::S(id)}};
    ASSERT_TRUE(tables_->PutItem(p).ok());
  }
  // The ids in the stream, in order.
  std::vector<std::string> StreamIds() {
    stream::IteratorRequest it;
    it.stream_name = "dynamodb.tbl";
    it.shard_id = "shardId-000000000000";
    auto token = streams_->GetShardIterator(it);
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    auto page = streams_->GetRecords(*token, 10000);
    EXPECT_TRUE(page.ok());
    std::vector<std::string> ids;
    for (const auto& r : page->records) {
      size_t at = r.data.find("\"Keys\":{\"id\":{\"S\":\"");
      EXPECT_NE(at, std::string::npos) << r.data;
      at += 19;
      ids.push_back(r.data.substr(at, r.data.find('"', at) - at));
    }
    return ids;
  }

  std::filesystem::path dir_;
  std::unique_ptr<stream::StreamEngine> streams_;
  std::unique_ptr<table::TableEngine> tables_;
  std::unique_ptr<table::ChangeForwarder> forwarder_;
};

TEST_F(ChangeForwarderTest, RecordsReachTheStreamInOrderOnce) {
  for (const char* id : {"a", "b", "c"}) Put(id);
  ASSERT_TRUE(forwarder_->ForwardOnce().ok());
  Put("d");
  ASSERT_TRUE(forwarder_->ForwardOnce().ok());
  ASSERT_TRUE(forwarder_->ForwardOnce().ok());
  EXPECT_EQ(StreamIds(), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_TRUE(tables_->ReadChanges(0, 10)->empty());  // forwarded records are deleted
}

TEST_F(ChangeForwarderTest, RecordsAlreadyInTheStreamAreNotSentAgainAfterARestart) {
  Put("a");
  ASSERT_TRUE(forwarder_->ForwardOnce().ok());
  Put("b");
  Put("c");
  // A crash after the stream acknowledged "b" but before the cursor moved:
  // "b" is in the stream and still pending in the table engine.
  auto pending = tables_->ReadChanges(tables_->LoadChangeCursor()->through, 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  ASSERT_TRUE(streams_->PutRecord("dynamodb.tbl", {"pk", std::nullopt, StreamRecordJson(pending->front())}).ok());
  forwarder_ = std::make_unique<table::ChangeForwarder>(tables_.get(), streams_.get(), StreamRecordFormat());
  ASSERT_TRUE(forwarder_->Start(0).ok());
  ASSERT_TRUE(forwarder_->ForwardOnce().ok());
  EXPECT_EQ(StreamIds(), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(StreamRecordTest, ShapeAndSequenceRoundTrip) {
  table::ChangeRecord r;
  r.sequence = 42;
  r.table_name = "t";
  r.event_name = "MODIFY";
  r.view_type = table::StreamViewType::kNewAndOldImages;
  r.stream_label = "2026-01-01T00:00:00.000";
  r.keys = {{"id", AttributeValue::S("x")}};
  // An attribute whose text looks like the field must not confuse the reader.
  r.new_image = {{"id", AttributeValue::S("x")}, {"SequenceNumber", AttributeValue::S("\"SequenceNumber\":\"7\"")}};
  r.old_image = {{"id", AttributeValue::S("x")}};
  r.size_bytes = 10;
  r.created_millis = 1'700'000'000'123;
  std::string json = StreamRecordJson(r);
  EXPECT_NE(json.find("\"eventName\":\"MODIFY\""), std::string::npos);
  EXPECT_NE(json.find("\"SequenceNumber\":\"000000000000000000042\""), std::string::npos);
  EXPECT_NE(json.find("\"eventSourceARN\":\"arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-01-01T00:00:00.000\""),
            std::string::npos);
  EXPECT_NE(json.find("\"ApproximateCreationDateTime\":1700000000"), std::string::npos);
  EXPECT_EQ(StreamRecordSequence(json), 42u);
  EXPECT_EQ(StreamRecordSequence("{\"not\":\"a record\"}"), std::nullopt);
}

}  // namespace
}  // namespace aws::dynamodb
