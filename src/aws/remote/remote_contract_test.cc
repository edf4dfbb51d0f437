// Contract tests of the remote clients against a live service. Each suite
// runs only when its endpoint is given, so plain ctest skips them and
// tests/e2e/test_remote_clients.py runs them against Rivulet's :4566 and
// against independent implementations (kinesalite, dynalite):
//   RIVULET_TEST_KINESIS_ENDPOINT, RIVULET_TEST_DYNAMODB_ENDPOINT,
//   RIVULET_TEST_S3_ENDPOINT, and RIVULET_TEST_NO_TRANSACTIONS=1 for
//   services without TransactWriteItems (dynalite).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <thread>

#include "aws/remote/remote_object_client.h"
#include "aws/remote/remote_stream_client.h"
#include "aws/remote/remote_table_client.h"

namespace aws::remote {
namespace {

using table::AttributeValue;
using table::Item;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

EndpointOptions Endpoint(const std::string& url, const std::string& service) {
  EndpointOptions options;
  options.url = url;
  options.region = "us-east-1";
  options.service = service;
  options.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  if (auto key = Env("AWS_ACCESS_KEY_ID"); !key.empty()) {
    options.credentials = {key, Env("AWS_SECRET_ACCESS_KEY"), ""};
  }
  options.max_attempts = 3;
  return options;
}

std::string Unique(const std::string& prefix) {
  return prefix + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000007);
}

class RemoteStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string url = Env("RIVULET_TEST_KINESIS_ENDPOINT");
    if (url.empty()) GTEST_SKIP() << "RIVULET_TEST_KINESIS_ENDPOINT is not set";
    RemoteStreamOptions options;
    options.endpoint = Endpoint(url, "kinesis");
    options.poll_interval = std::chrono::milliseconds(50);
    client_ = std::make_unique<RemoteStreamClient>(options);
  }
  std::vector<stream::Record> ReadAll(const std::string& stream, const std::string& shard, stream::IteratorType type,
                                      const std::string& sequence_number = "", int64_t timestamp_millis = 0) {
    stream::IteratorRequest request;
    request.stream_name = stream;
    request.shard_id = shard;
    request.type = type;
    request.sequence_number = sequence_number;
    request.timestamp_millis = timestamp_millis;
    auto iterator = client_->GetShardIterator(request);
    EXPECT_TRUE(iterator.ok()) << iterator.status().ToString();
    std::vector<stream::Record> out;
    std::string next = iterator.ok() ? *iterator : "";
    for (int i = 0; i < 5 && !next.empty(); ++i) {
      auto page = client_->GetRecords(next, 1000);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      for (auto& r : page->records) out.push_back(std::move(r));
      next = page->next_shard_iterator;
    }
    return out;
  }
  std::unique_ptr<RemoteStreamClient> client_;
};

TEST_F(RemoteStreamTest, PutThenReadFromEveryIteratorType) {
  std::string name = Unique("remote-s-");
  auto created = client_->CreateStream(name, 1, stream::StreamMode::kProvisioned);
  ASSERT_TRUE(created.ok()) << created.ToString();
  auto description = client_->DescribeStream(name);
  ASSERT_TRUE(description.ok()) << description.status().ToString();
  ASSERT_EQ(description->shards.size(), 1u);
  EXPECT_EQ(description->stream_name, name);
  std::string shard = description->shards[0].shard_id;
  auto names = client_->ListStreams();
  ASSERT_TRUE(names.ok());
  EXPECT_NE(std::find(names->begin(), names->end(), name), names->end());

  std::vector<stream::PutEntry> entries;
  for (int i = 0; i < 5; ++i) entries.push_back({"key" + std::to_string(i), std::nullopt, std::string("v\0\xff", 3) + std::to_string(i)});
  std::promise<common::Result<std::vector<common::Result<stream::PutResult>>>> done;
  client_->PutRecords(name, entries, [&done](auto result) { done.set_value(std::move(result)); });
  auto put = done.get_future().get();
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  ASSERT_EQ(put->size(), 5u);
  for (const auto& one : *put) ASSERT_TRUE(one.ok()) << one.status().ToString();

  auto all = ReadAll(name, shard, stream::IteratorType::kTrimHorizon);
  ASSERT_EQ(all.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(all[i].data, entries[i].data);
    EXPECT_EQ(all[i].partition_key, entries[i].partition_key);
    EXPECT_EQ(all[i].sequence_number, (*put)[i]->sequence_number);
    EXPECT_GT(all[i].arrival_millis, 0);
  }
  auto at = ReadAll(name, shard, stream::IteratorType::kAtSequenceNumber, all[2].sequence_number);
  ASSERT_EQ(at.size(), 3u);
  auto after = ReadAll(name, shard, stream::IteratorType::kAfterSequenceNumber, all[2].sequence_number);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_TRUE(ReadAll(name, shard, stream::IteratorType::kLatest).empty());
  auto since = ReadAll(name, shard, stream::IteratorType::kAtTimestamp, "", all[0].arrival_millis - 1000);
  EXPECT_EQ(since.size(), 5u);
  EXPECT_TRUE(client_->DeleteStream(name).ok());
}

TEST_F(RemoteStreamTest, ErrorsMapToStatusCodes) {
  auto missing = client_->DescribeStream(Unique("missing-"));
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  auto bad = client_->GetRecords("not-an-iterator", 10);
  EXPECT_TRUE(bad.status().IsInvalidArgument()) << bad.status().ToString();
}

TEST_F(RemoteStreamTest, SubscriptionWakesTheReaderForEachShard) {
  std::string name = Unique("remote-sub-");
  ASSERT_TRUE(client_->CreateStream(name, 2, stream::StreamMode::kProvisioned).ok());
  std::atomic<int> wakes{0};
  auto subscription = client_->Subscribe(name, [&wakes](const std::string&) { wakes++; });
  ASSERT_TRUE(subscription.ok()) << subscription.status().ToString();
  for (int i = 0; i < 200 && wakes < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(wakes.load(), 4);
  subscription->reset();
  EXPECT_TRUE(client_->Subscribe(Unique("missing-"), [](const std::string&) {}).status().IsNotFound());
  EXPECT_TRUE(client_->DeleteStream(name).ok());
}

class RemoteTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string url = Env("RIVULET_TEST_DYNAMODB_ENDPOINT");
    if (url.empty()) GTEST_SKIP() << "RIVULET_TEST_DYNAMODB_ENDPOINT is not set";
    client_ = std::make_unique<RemoteTableClient>(Endpoint(url, "dynamodb"));
    name_ = Unique("remote-t-");
    table::CreateTableRequest create;
    create.table_name = name_;
    create.key_schema = {{"pk", table::KeyType::kHash}, {"sk", table::KeyType::kRange}};
    create.attribute_definitions = {{"pk", AttributeValue::Type::kS}, {"sk", AttributeValue::Type::kN},
                                    {"owner", AttributeValue::Type::kS}};
    create.global_secondary_indexes = {{"by-owner", {{"owner", table::KeyType::kHash}}, {}}};
    auto created = client_->CreateTable(create);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    EXPECT_EQ(created->table_status, "ACTIVE");
  }
  void TearDown() override {
    if (client_) (void)client_->DeleteTable(name_);
  }
  Item Key(const std::string& pk, int sk) { return {{"pk", AttributeValue::S(pk)}, {"sk", AttributeValue::N(std::to_string(sk))}}; }

  std::unique_ptr<RemoteTableClient> client_;
  std::string name_;
};

TEST_F(RemoteTableTest, ItemsRoundTripWithConditionsAndReturnValues) {
  table::PutItemRequest put;
  put.table_name = name_;
  put.item = Key("a", 1);
  put.item["owner"] = AttributeValue::S("ann");
  put.item["tags"] = AttributeValue::SS({"x", "y"});
  put.item["nested"] = AttributeValue::M({{"n", AttributeValue::N("12.5")}, {"l", AttributeValue::L({AttributeValue::Bool(true), AttributeValue::Null()})}});
  put.item["bin"] = AttributeValue::B(std::string("\0\x01\xfe", 3));
  ASSERT_TRUE(client_->PutItem(put).ok());

  auto got = client_->GetItem({name_, Key("a", 1), "", {}, true});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, put.item);

  put.condition_expression = "attribute_not_exists(pk)";
  put.return_old_on_condition_failure = true;
  table::WriteFailure failure;
  auto again = client_->PutItem(put, &failure);
  EXPECT_TRUE(again.status().IsConditionFailed()) << again.status().ToString();

  table::UpdateItemRequest update;
  update.table_name = name_;
  update.key = Key("a", 1);
  update.update_expression = "SET #c = if_not_exists(#c, :zero) + :one";
  update.attributes.names = {{"#c", "count"}};
  update.attributes.values = {{":zero", AttributeValue::N("0")}, {":one", AttributeValue::N("1")}};
  update.return_values = table::ReturnValues::kAllNew;
  auto updated = client_->UpdateItem(update);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  ASSERT_TRUE(updated->attributes.has_value());
  EXPECT_EQ(updated->attributes->at("count"), AttributeValue::N("1"));

  table::DeleteItemRequest del;
  del.table_name = name_;
  del.key = Key("a", 1);
  del.return_values = table::ReturnValues::kAllOld;
  auto deleted = client_->DeleteItem(del);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->attributes.has_value());
  EXPECT_FALSE(client_->GetItem({name_, Key("a", 1), "", {}, false})->has_value());
}

TEST_F(RemoteTableTest, QueryPagesInSortOrderAndBatchesWork) {
  std::map<std::string, std::vector<table::WriteRequest>> batch;
  for (int i = 0; i < 25; ++i) {
    Item item = Key("p", i);
    item["owner"] = AttributeValue::S(i % 2 ? "odd" : "even");
    batch[name_].push_back({item, std::nullopt});
  }
  ASSERT_TRUE(client_->BatchWriteItem(batch).ok());

  table::QueryRequest query;
  query.table_name = name_;
  query.key_condition_expression = "pk = :p AND sk >= :from";
  query.attributes.values = {{":p", AttributeValue::S("p")}, {":from", AttributeValue::N("3")}};
  query.limit = 10;
  std::vector<int> seen;
  for (int page = 0; page < 5; ++page) {
    auto result = client_->Query(query);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    for (const auto& item : result->items) seen.push_back(std::stoi(item.at("sk").scalar()));
    if (!result->last_evaluated_key) break;
    query.exclusive_start_key = result->last_evaluated_key;
  }
  ASSERT_EQ(seen.size(), 22u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<int>(i) + 3);

  table::QueryRequest by_owner;
  by_owner.table_name = name_;
  by_owner.index_name = "by-owner";
  by_owner.key_condition_expression = "#o = :o";
  by_owner.attributes.names = {{"#o", "owner"}};
  by_owner.attributes.values = {{":o", AttributeValue::S("odd")}};
  auto odd = client_->Query(by_owner);
  ASSERT_TRUE(odd.ok()) << odd.status().ToString();
  EXPECT_EQ(odd->count, 12);

  std::map<std::string, table::KeysAndAttributes> get;
  get[name_].keys = {Key("p", 0), Key("p", 24), Key("p", 99)};
  auto got = client_->BatchGetItem(get);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->responses[name_].size(), 2u);

  table::ScanRequest scan;
  scan.table_name = name_;
  scan.select = table::Select::kCount;
  auto counted = client_->Scan(scan);
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  EXPECT_EQ(counted->count, 25);
}

TEST_F(RemoteTableTest, TransactionsAreAllOrNothing) {
  if (!Env("RIVULET_TEST_NO_TRANSACTIONS").empty()) GTEST_SKIP() << "the service has no transactions";
  table::TransactWriteItem put;
  put.table_name = name_;
  put.item = Key("t", 1);
  table::TransactWriteItem check;
  check.kind = table::TransactWriteItem::Kind::kConditionCheck;
  check.table_name = name_;
  check.key = Key("t", 2);
  check.condition_expression = "attribute_exists(pk)";
  table::WriteFailure failure;
  auto status = client_->TransactWriteItems({put, check}, "", &failure);
  EXPECT_TRUE(status.IsConditionFailed()) << status.ToString();
  ASSERT_EQ(failure.reasons.size(), 2u);
  EXPECT_EQ(failure.reasons[1].code, "ConditionalCheckFailed");
  EXPECT_FALSE(client_->GetItem({name_, Key("t", 1), "", {}, true})->has_value());
  ASSERT_TRUE(client_->TransactWriteItems({put}, "", nullptr).ok());
  std::vector<table::TransactGetItem> gets(2);
  gets[0].table_name = gets[1].table_name = name_;
  gets[0].key = Key("t", 1);
  gets[1].key = Key("t", 2);
  auto both = client_->TransactGetItems(gets);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_TRUE((*both)[0].has_value());
  EXPECT_FALSE((*both)[1].has_value());
}

class RemoteObjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string url = Env("RIVULET_TEST_S3_ENDPOINT");
    if (url.empty()) GTEST_SKIP() << "RIVULET_TEST_S3_ENDPOINT is not set";
    client_ = std::make_unique<RemoteObjectClient>(Endpoint(url, "s3"), 5 << 20);
    bucket_ = Unique("remote-b-");
    ASSERT_TRUE(client_->CreateBucket(bucket_).ok());
  }
  std::unique_ptr<RemoteObjectClient> client_;
  std::string bucket_;
};

TEST_F(RemoteObjectTest, ObjectsRoundTripWithOddKeysRangesAndListing) {
  objects::PutOptions options;
  options.metadata.content_type = "text/plain";
  options.metadata.user = {{"who", "ann"}};
  for (std::string key : {"a/one.txt", "a/two words+%.txt", "b/\xc3\xa9t\xc3\xa9"}) {
    auto put = client_->PutObject(bucket_, key, "hello " + key, options);
    ASSERT_TRUE(put.ok()) << key << ": " << put.status().ToString();
  }
  auto bytes = client_->GetObjectBytes(bucket_, "a/two words+%.txt");
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, "hello a/two words+%.txt");
  auto head = client_->HeadObject(bucket_, "a/one.txt", {});
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 15u);
  EXPECT_EQ(head->metadata.user.at("who"), "ann");
  objects::GetOptions range;
  range.range = objects::ByteRange{1, 3, std::nullopt};
  auto part = client_->GetObject(bucket_, "a/one.txt", range);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(*part->reader->Read(100), "ell");

  objects::ListObjectsRequest list{bucket_, "", "/", 1000, "", ""};
  auto listed = client_->ListObjects(list);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_TRUE(listed->objects.empty());
  EXPECT_EQ(listed->common_prefixes, (std::vector<std::string>{"a/", "b/"}));
  EXPECT_TRUE(client_->GetObjectBytes(bucket_, "missing").status().IsNotFound());
  EXPECT_EQ(client_->DeleteBucket(bucket_).code(), common::Status::Code::kResourceInUse);
}

TEST_F(RemoteObjectTest, LargeObjectsGoThroughMultipartAndRangedReads) {
  std::string big(12 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  auto writer = client_->NewObjectWriter(bucket_, "big", {});
  ASSERT_TRUE(writer.ok());
  for (size_t at = 0; at < big.size(); at += 1 << 20) ASSERT_TRUE((*writer)->Append(std::string_view(big).substr(at, 1 << 20)).ok());
  auto committed = (*writer)->Commit();
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_TRUE(committed->etag.ends_with("-3")) << committed->etag;  // 5 + 5 + 2 MiB
  auto got = client_->GetObject(bucket_, "big", {});
  ASSERT_TRUE(got.ok());
  std::string back;
  while (true) {
    auto chunk = got->reader->Read(3 << 20);
    ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
    if (chunk->empty()) break;
    back += *chunk;
  }
  EXPECT_TRUE(back == big);
}

}  // namespace
}  // namespace aws::remote
