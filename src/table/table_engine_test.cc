#include "table/table_engine.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "table/table_schema.h"

namespace table {
namespace {

AttributeValue S(std::string s) { return AttributeValue::S(std::move(s)); }
AttributeValue N(std::string n) { return AttributeValue::N(std::move(n)); }

class TableEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("table_engine_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    Reopen();
    CreateTableRequest r;
    r.table_name = "orders";
    r.key_schema = {{"customer", KeyType::kHash}, {"seq", KeyType::kRange}};
    r.attribute_definitions = {{"customer", AttributeValue::Type::kS}, {"seq", AttributeValue::Type::kN},
                               {"status", AttributeValue::Type::kS}};
    r.global_secondary_indexes = {{"by_status", {{"status", KeyType::kHash}, {"seq", KeyType::kRange}}, {}}};
    ASSERT_TRUE(engine_->CreateTable(r).ok());
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Reopen(int ttl_items_per_pass = 20'000, bool sync_writes = false) {
    engine_.reset();
    TableEngineOptions options;
    options.sync_writes = sync_writes;  // mostly logic tests; durability is covered by tests/crash
    options.ttl_interval_millis = 0;
    options.ttl_items_per_pass = ttl_items_per_pass;
    options.memtable_mb = memtable_mb_;
    options.background_write_mb = background_write_mb_;
    options.clock = &clock_;
    auto e = TableEngine::Open(dir_.string(), options);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
  }

  // Reopens with a 1 MiB memtable and writes 4 MiB of items ("c", i)
  // holding `filler`, so that RocksDB flushes several times in the background.
  void WriteFourMiBThroughASmallMemtable(const std::string& filler) {
    memtable_mb_ = 1;
    Reopen();
    for (int i = 0; i < 1024; ++i) ASSERT_TRUE(Put("c", i, {{"blob", S(filler)}}).ok());
  }

  Status Put(const std::string& customer, int seq, Item extra = {}, const std::string& condition = "",
             ExpressionAttributes attrs = {}) {
    PutItemRequest r;
    r.table_name = "orders";
    r.item = std::move(extra);
    r.item["customer"] = S(customer);
    r.item["seq"] = N(std::to_string(seq));
    r.condition_expression = condition;
    r.attributes = std::move(attrs);
    return engine_->PutItem(r).status();
  }

  std::optional<Item> Get(const std::string& customer, int seq) {
    GetItemRequest r;
    r.table_name = "orders";
    r.key = {{"customer", S(customer)}, {"seq", N(std::to_string(seq))}};
    auto item = engine_->GetItem(r);
    EXPECT_TRUE(item.ok()) << item.status().ToString();
    return item.ok() ? *item : std::nullopt;
  }

  Result<WriteResult> Update(const std::string& customer, int seq, const std::string& update,
                             const std::string& condition, ExpressionAttributes attrs,
                             ReturnValues rv = ReturnValues::kNone) {
    UpdateItemRequest r;
    r.table_name = "orders";
    r.key = {{"customer", S(customer)}, {"seq", N(std::to_string(seq))}};
    r.update_expression = update;
    r.condition_expression = condition;
    r.attributes = std::move(attrs);
    r.return_values = rv;
    return engine_->UpdateItem(r);
  }

  std::vector<std::string> QuerySeqs(QueryRequest r) {
    r.table_name = "orders";
    auto result = engine_->Query(r);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    std::vector<std::string> out;
    if (result.ok()) for (const auto& item : result->items) out.push_back(item.at("seq").scalar());
    return out;
  }

  static inline int counter_ = 0;
  int memtable_mb_ = 64;
  int background_write_mb_ = 32;
  std::filesystem::path dir_;
  common::ManualClock clock_;
  std::unique_ptr<TableEngine> engine_;
};

TEST_F(TableEngineTest, CreateDescribeListDelete) {
  CreateTableRequest r;
  r.table_name = "orders";
  r.key_schema = {{"id", KeyType::kHash}};
  r.attribute_definitions = {{"id", AttributeValue::Type::kS}};
  EXPECT_EQ(engine_->CreateTable(r).status().code(), Status::Code::kResourceInUse);
  r.table_name = "users";
  ASSERT_TRUE(engine_->CreateTable(r).ok());
  std::string last;
  auto names = engine_->ListTables("", 100, &last);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"orders", "users"}));
  auto d = engine_->DescribeTable("orders");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->global_secondary_indexes.size(), 1u);
  ASSERT_TRUE(engine_->DeleteTable("users").ok());
  EXPECT_TRUE(engine_->DescribeTable("users").status().IsNotFound());
}

// The nice value of this process's threads named `name`, read from /proc.
std::vector<int> NiceOfThreads(const std::string& name) {
  std::vector<int> nice;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string comm_name;
    std::getline(comm, comm_name);
    if (comm_name != name) continue;
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    std::istringstream fields(line.substr(line.rfind(')') + 2));  // from field 3, the state
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i) {
      if (i == 19) nice.push_back(std::stoi(field));
    }
  }
  return nice;
}

// Polls `done` every 20 ms for up to 20 s (background work has no callback).
void WaitUpTo20s(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

TEST_F(TableEngineTest, MemtableFlushesRunAtTheLowestCpuPriority) {
  // A flush takes 150-300 ms of CPU; at nice 19 it waits for idle CPU instead
  // of taking a core from the requests (TableEngineOptions::background_low_priority).
  std::string filler(4096, 'x');
  WriteFourMiBThroughASmallMemtable(filler);
  // Each thread lowers its own priority when it takes its next job.
  WaitUpTo20s([] { return NiceOfThreads("rocksdb:high") == std::vector<int>{19}; });
  EXPECT_EQ(NiceOfThreads("rocksdb:high"), std::vector<int>{19});
  EXPECT_EQ(Get("c", 1023)->at("blob").scalar(), filler);
}

TEST_F(TableEngineTest, FlushesWriteThroughTheBackgroundWriteLimiter) {
  // TableEngineOptions::background_write_mb: RocksDB's flushes and
  // compactions write through one rate limiter (here generous: only the
  // path is checked, not the pace).
  background_write_mb_ = 256;
  std::string filler(4096, 'x');
  WriteFourMiBThroughASmallMemtable(filler);
  WaitUpTo20s([&] { return engine_->BackgroundBytesLimited() >= (2 << 20); });
  EXPECT_GE(engine_->BackgroundBytesLimited(), 2 << 20);
  EXPECT_EQ(Get("c", 1023)->at("blob").scalar(), filler);

  background_write_mb_ = 0;  // unlimited: no limiter
  Reopen();
  EXPECT_EQ(engine_->BackgroundBytesLimited(), 0);
  EXPECT_EQ(Get("c", 0)->at("blob").scalar(), filler);
}

TEST_F(TableEngineTest, CreateTableRejectsUndefinedKeyAttributes) {
  CreateTableRequest r;
  r.table_name = "bad";
  r.key_schema = {{"id", KeyType::kHash}};
  r.attribute_definitions = {{"other", AttributeValue::Type::kS}};
  auto s = engine_->CreateTable(r).status();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("not defined in AttributeDefinitions"), std::string::npos);
}

TEST_F(TableEngineTest, PutGetAndNumbersAreCanonical) {
  ASSERT_TRUE(Put("c1", 1, {{"total", N("012.50")}}).ok());
  auto item = Get("c1", 1);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->at("total"), N("12.5"));
  EXPECT_FALSE(Get("c1", 2));
}

TEST_F(TableEngineTest, ConditionalPutFailsWithoutChangingTheItem) {
  ASSERT_TRUE(Put("c1", 1, {{"v", N("1")}}, "attribute_not_exists(customer)").ok());
  PutItemRequest r;
  r.table_name = "orders";
  r.item = {{"customer", S("c1")}, {"seq", N("1")}, {"v", N("2")}};
  r.condition_expression = "attribute_not_exists(customer)";
  r.return_old_on_condition_failure = true;
  WriteFailure failure;
  auto result = engine_->PutItem(r, &failure);
  EXPECT_TRUE(result.status().IsConditionFailed());
  ASSERT_TRUE(failure.item);
  EXPECT_EQ(failure.item->at("v"), N("1"));
  EXPECT_EQ(Get("c1", 1)->at("v"), N("1"));
}

TEST_F(TableEngineTest, BadInputIsRejectedAndNothingChanges) {
  ASSERT_TRUE(Put("c1", 1, {{"v", N("1")}}).ok());
  EXPECT_TRUE(Put("c1", 1, {{"v", N("not a number")}}).IsInvalidArgument());
  EXPECT_TRUE(Put("c1", 1, {{"big", S(std::string(401 * 1024, 'x'))}}).IsInvalidArgument());
  EXPECT_TRUE(Put("c1", 1, {{"status", N("3")}}).IsInvalidArgument());  // GSI key type
  EXPECT_TRUE(Put("", 1).IsInvalidArgument());
  EXPECT_TRUE(Put("c1", 1, {{"v", N("2")}}, "v = ").IsInvalidArgument());
  EXPECT_EQ(Get("c1", 1)->at("v"), N("1"));
  GetItemRequest g;
  g.table_name = "orders";
  g.key = {{"customer", S("c1")}};
  EXPECT_EQ(engine_->GetItem(g).status().message(), "The provided key element does not match the schema");
}

TEST_F(TableEngineTest, UpdateCreatesItemsAndReturnsValues) {
  ExpressionAttributes a;
  a.values = {{":one", N("1")}};
  auto r = Update("c1", 1, "ADD n :one", "", a, ReturnValues::kAllNew);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attributes->at("n"), N("1"));
  r = Update("c1", 1, "SET n = n + :one", "", a, ReturnValues::kUpdatedOld);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->attributes->at("n"), N("1"));
  EXPECT_EQ(r->attributes->size(), 1u);
  EXPECT_EQ(Get("c1", 1)->at("n"), N("2"));
  auto key_update = Update("c1", 1, "SET seq = :one", "", a);
  EXPECT_NE(key_update.status().message().find("This attribute is part of the key"), std::string::npos);
}

// AWS returns only the updated paths, nested as in the item, not whole
// top-level attributes.
TEST_F(TableEngineTest, UpdatedOldAndNewReturnOnlyTheUpdatedPaths) {
  Item doc = {{"a", AttributeValue::M({{"b", AttributeValue::M({{"c", N("1")}, {"d", S("keep")}})}, {"e", S("keep")}})},
              {"l", AttributeValue::L({S("x"), S("y"), S("z")})},
              {"gone", S("old")},
              {"untouched", S("u")}};
  ASSERT_TRUE(Put("c1", 1, doc).ok());
  ExpressionAttributes a;
  a.values = {{":v", N("2")}, {":w", S("Y")}};
  auto old_values = Update("c1", 1, "SET a.b.c = :v, l[1] = :w, fresh = :v REMOVE gone", "", a, ReturnValues::kUpdatedOld);
  ASSERT_TRUE(old_values.ok()) << old_values.status().ToString();
  Item expected_old = {{"a", AttributeValue::M({{"b", AttributeValue::M({{"c", N("1")}})}})},
                       {"l", AttributeValue::L({S("y")})},
                       {"gone", S("old")}};  // "fresh" did not exist before
  EXPECT_EQ(*old_values->attributes, expected_old);

  a.values = {{":v", N("3")}, {":w", S("Y2")}};
  auto new_values = Update("c1", 1, "SET a.b.c = :v, l[1] = :w, fresh = :v REMOVE a.e", "", a, ReturnValues::kUpdatedNew);
  ASSERT_TRUE(new_values.ok()) << new_values.status().ToString();
  Item expected_new = {{"a", AttributeValue::M({{"b", AttributeValue::M({{"c", N("3")}})}})},
                       {"l", AttributeValue::L({S("Y2")})},
                       {"fresh", N("3")}};  // a.e is removed: nothing new to return
  EXPECT_EQ(*new_values->attributes, expected_new);

  // Only a removal of something absent: no attributes at all.
  auto none = Update("c1", 1, "REMOVE nothing_here", "", {}, ReturnValues::kUpdatedNew);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->attributes);
  EXPECT_EQ(Get("c1", 1)->at("a").map().at("b").map().at("d"), S("keep"));
}

TEST_F(TableEngineTest, OptimisticLockingWithVersion) {
  ExpressionAttributes a;
  a.values = {{":expected", N("1")}, {":next", N("2")}};
  ASSERT_TRUE(Put("c1", 1, {{"version", N("1")}}).ok());
  ASSERT_TRUE(Update("c1", 1, "SET version = :next", "version = :expected", a).ok());
  EXPECT_TRUE(Update("c1", 1, "SET version = :next", "version = :expected", a).status().IsConditionFailed());
}

TEST_F(TableEngineTest, QueryReturnsNumericSortOrderAndPages) {
  for (int seq : {10, -3, 2, 100, 0, 7}) ASSERT_TRUE(Put("c1", seq).ok());
  ASSERT_TRUE(Put("c2", 5).ok());
  QueryRequest q;
  q.key_condition_expression = "customer = :c";
  q.attributes.values = {{":c", S("c1")}};
  EXPECT_EQ(QuerySeqs(q), (std::vector<std::string>{"-3", "0", "2", "7", "10", "100"}));
  q.scan_index_forward = false;
  EXPECT_EQ(QuerySeqs(q), (std::vector<std::string>{"100", "10", "7", "2", "0", "-3"}));
  q.scan_index_forward = true;
  q.key_condition_expression = "customer = :c AND seq BETWEEN :lo AND :hi";
  q.attributes.values[":lo"] = N("0");
  q.attributes.values[":hi"] = N("10");
  EXPECT_EQ(QuerySeqs(q), (std::vector<std::string>{"0", "2", "7", "10"}));
  q.key_condition_expression = "customer = :c AND seq > :lo";
  q.attributes.values.erase(":hi");
  EXPECT_EQ(QuerySeqs(q), (std::vector<std::string>{"2", "7", "10", "100"}));

  // Pages of two, forward and backward, cover everything exactly once.
  for (bool forward : {true, false}) {
    QueryRequest p;
    p.table_name = "orders";
    p.key_condition_expression = "customer = :c";
    p.attributes.values = {{":c", S("c1")}};
    p.limit = 2;
    p.scan_index_forward = forward;
    std::vector<std::string> all;
    for (int page = 0; page < 10; ++page) {
      auto r = engine_->Query(p);
      ASSERT_TRUE(r.ok());
      for (const auto& item : r->items) all.push_back(item.at("seq").scalar());
      if (!r->last_evaluated_key) break;
      p.exclusive_start_key = r->last_evaluated_key;
    }
    EXPECT_EQ(all.size(), 6u);
    EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 6u);
  }
}

TEST_F(TableEngineTest, QueryKeyConditionErrors) {
  QueryRequest q;
  q.table_name = "orders";
  q.key_condition_expression = "seq = :s";
  q.attributes.values = {{":s", N("1")}};
  EXPECT_NE(engine_->Query(q).status().message().find("missed key schema element: customer"), std::string::npos);
  q.key_condition_expression = "customer = :s";
  EXPECT_NE(engine_->Query(q).status().message().find("Condition parameter type does not match schema type"), std::string::npos);
}

TEST_F(TableEngineTest, GlobalIndexFollowsPutsUpdatesAndDeletes) {
  ASSERT_TRUE(Put("c1", 1, {{"status", S("NEW")}}).ok());
  ASSERT_TRUE(Put("c2", 2, {{"status", S("NEW")}}).ok());
  ASSERT_TRUE(Put("c3", 3).ok());  // no status: not in the index
  auto by_status = [&](const std::string& status) {
    QueryRequest q;
    q.index_name = "by_status";
    q.key_condition_expression = "#s = :s";
    q.attributes.names = {{"#s", "status"}};
    q.attributes.values = {{":s", S(status)}};
    return QuerySeqs(q);
  };
  EXPECT_EQ(by_status("NEW"), (std::vector<std::string>{"1", "2"}));
  ExpressionAttributes a;
  a.names = {{"#s", "status"}};
  a.values = {{":paid", S("PAID")}};
  ASSERT_TRUE(Update("c1", 1, "SET #s = :paid", "", a).ok());
  EXPECT_EQ(by_status("NEW"), (std::vector<std::string>{"2"}));
  EXPECT_EQ(by_status("PAID"), (std::vector<std::string>{"1"}));
  DeleteItemRequest d;
  d.table_name = "orders";
  d.key = {{"customer", S("c2")}, {"seq", N("2")}};
  ASSERT_TRUE(engine_->DeleteItem(d).ok());
  EXPECT_TRUE(by_status("NEW").empty());
}

// Entries whose key and projection stay are not rewritten; those whose
// projected attributes change are.
TEST_F(TableEngineTest, IndexEntriesFollowOnlyTheirProjectedAttributes) {
  CreateTableRequest r;
  r.table_name = "carts";
  r.key_schema = {{"id", KeyType::kHash}};
  r.attribute_definitions = {{"id", AttributeValue::Type::kS}, {"owner", AttributeValue::Type::kS}};
  r.global_secondary_indexes = {{"keys", {{"owner", KeyType::kHash}}, {ProjectionType::kKeysOnly, {}}},
                                {"total", {{"owner", KeyType::kHash}}, {ProjectionType::kInclude, {"total"}}}};
  ASSERT_TRUE(engine_->CreateTable(r).ok());
  auto put = [&](Item item) {
    PutItemRequest p;
    p.table_name = "carts";
    p.item = std::move(item);
    ASSERT_TRUE(engine_->PutItem(p).ok());
  };
  auto query = [&](const std::string& index) {
    QueryRequest q;
    q.table_name = "carts";
    q.index_name = index;
    q.key_condition_expression = "#o = :o";
    q.attributes.names = {{"#o", "owner"}};
    q.attributes.values = {{":o", S("ann")}};
    auto result = engine_->Query(q);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->items : std::vector<Item>{};
  };
  put({{"id", S("c1")}, {"owner", S("ann")}, {"total", N("5")}, {"note", S("a")}});
  put({{"id", S("c1")}, {"owner", S("ann")}, {"total", N("5")}, {"note", S("b")}});  // nothing projected changes
  put({{"id", S("c2")}, {"owner", S("ann")}, {"total", N("1")}});
  put({{"id", S("c2")}, {"owner", S("ann")}, {"total", N("7")}});  // the included attribute changes
  put({{"id", S("c3")}, {"owner", S("ann")}, {"total", N("2")}});
  put({{"id", S("c3")}, {"owner", S("ann")}});  // ... and goes
  EXPECT_EQ(query("keys"), (std::vector<Item>{{{"id", S("c1")}, {"owner", S("ann")}},
                                              {{"id", S("c2")}, {"owner", S("ann")}},
                                              {{"id", S("c3")}, {"owner", S("ann")}}}));
  EXPECT_EQ(query("total"), (std::vector<Item>{{{"id", S("c1")}, {"owner", S("ann")}, {"total", N("5")}},
                                               {{"id", S("c2")}, {"owner", S("ann")}, {"total", N("7")}},
                                               {{"id", S("c3")}, {"owner", S("ann")}}}));
}

TEST_F(TableEngineTest, UpdateTableAddsIndexWithBackfill) {
  ASSERT_TRUE(Put("c1", 1, {{"sku", S("a")}}).ok());
  ASSERT_TRUE(Put("c2", 2, {{"sku", S("a")}}).ok());
  UpdateTableRequest u;
  u.table_name = "orders";
  u.attribute_definitions = {{"sku", AttributeValue::Type::kS}};
  u.create_index = GlobalSecondaryIndex{"by_sku", {{"sku", KeyType::kHash}}, {ProjectionType::kKeysOnly, {}}};
  ASSERT_TRUE(engine_->UpdateTable(u).ok());
  QueryRequest q;
  q.table_name = "orders";
  q.index_name = "by_sku";
  q.key_condition_expression = "sku = :s";
  q.attributes.values = {{":s", S("a")}};
  auto r = engine_->Query(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->items.size(), 2u);
}

TEST_F(TableEngineTest, TransactionIsAllOrNothingWithReasons) {
  ASSERT_TRUE(Put("c1", 1, {{"stock", N("1")}}).ok());
  TransactWriteItem dec;
  dec.kind = TransactWriteItem::Kind::kUpdate;
  dec.table_name = "orders";
  dec.key = {{"customer", S("c1")}, {"seq", N("1")}};
  dec.update_expression = "SET stock = stock - :one";
  dec.condition_expression = "stock >= :one";
  dec.attributes.values = {{":one", N("1")}};
  TransactWriteItem put;
  put.kind = TransactWriteItem::Kind::kPut;
  put.table_name = "orders";
  put.item = {{"customer", S("c9")}, {"seq", N("1")}};
  ASSERT_TRUE(engine_->TransactWriteItems({dec, put}, "", nullptr).ok());
  EXPECT_EQ(Get("c1", 1)->at("stock"), N("0"));
  put.item["seq"] = N("2");
  WriteFailure failure;
  Status s = engine_->TransactWriteItems({put, dec}, "", &failure);
  EXPECT_TRUE(s.IsConditionFailed());
  ASSERT_EQ(failure.reasons.size(), 2u);
  EXPECT_EQ(failure.reasons[0].code, "None");
  EXPECT_EQ(failure.reasons[1].code, "ConditionalCheckFailed");
  EXPECT_FALSE(Get("c9", 2));  // the put was rolled back with the failed update
  EXPECT_TRUE(engine_->TransactWriteItems({put, put}, "", nullptr).IsInvalidArgument());
}

TEST_F(TableEngineTest, TransactionTokenMakesRetriesIdempotent) {
  TransactWriteItem add;
  add.kind = TransactWriteItem::Kind::kUpdate;
  add.table_name = "orders";
  add.key = {{"customer", S("c1")}, {"seq", N("1")}};
  add.update_expression = "ADD n :one";
  add.attributes.values = {{":one", N("1")}};
  ASSERT_TRUE(engine_->TransactWriteItems({add}, "tok", nullptr).ok());
  ASSERT_TRUE(engine_->TransactWriteItems({add}, "tok", nullptr).ok());
  EXPECT_EQ(Get("c1", 1)->at("n"), N("1"));
  add.attributes.values[":one"] = N("2");
  EXPECT_EQ(engine_->TransactWriteItems({add}, "tok", nullptr).code(), Status::Code::kAlreadyExists);
}

TEST_F(TableEngineTest, ConcurrentConditionalDecrementsNeverOversell) {
  ASSERT_TRUE(Put("stock", 1, {{"stock_left", N("200")}}).ok());
  std::atomic<int> sold{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      ExpressionAttributes a;
      a.values = {{":one", N("1")}};
      while (true) {
        auto r = Update("stock", 1, "SET stock_left = stock_left - :one", "stock_left >= :one", a);
        if (!r.ok()) {
          EXPECT_TRUE(r.status().IsConditionFailed()) << r.status().ToString();
          return;
        }
        ++sold;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sold.load(), 200);
  EXPECT_EQ(Get("stock", 1)->at("stock_left"), N("0"));
}

// Synced writers at a high rate share group commits, which then wait to
// gather more (TableEngineOptions::commit_gather_micros, common::
// CommitGathering) once the first 50 ms have measured the rate: every write
// is acknowledged once, builds on the ones before it and survives a reopen.
TEST_F(TableEngineTest, SyncedWritersWhoseCommitsWaitToGatherLoseNothing) {
  Reopen(20'000, /*sync_writes=*/true);
  ASSERT_TRUE(Put("counter", 0, {{"n", N("0")}}).ok());
  constexpr int kThreads = 8, kPerThread = 300;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ExpressionAttributes a;
      a.values = {{":one", N("1")}};
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_TRUE(Put("w" + std::to_string(t), i).ok());
        EXPECT_TRUE(Update("counter", 0, "SET n = n + :one", "attribute_exists(n)", a).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  Reopen(20'000, /*sync_writes=*/true);
  EXPECT_EQ(Get("counter", 0)->at("n"), N(std::to_string(kThreads * kPerThread)));
  for (int t = 0; t < kThreads; ++t) {
    QueryRequest q;
    q.key_condition_expression = "customer = :c";
    q.attributes.values = {{":c", S("w" + std::to_string(t))}};
    EXPECT_EQ(QuerySeqs(q).size(), size_t(kPerThread)) << "writer " << t;
  }
}

// Writers of one item queue behind each other's not-yet-durable writes (the
// commit queue's pending values): no update is lost and the index entry of
// the item always matches its last value.
TEST_F(TableEngineTest, ConcurrentUpdatesOfOneItemBuildOnEachOther) {
  ASSERT_TRUE(Put("hot", 1, {{"n", N("0")}, {"status", S("s0")}}).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        ExpressionAttributes a;
        a.names = {{"#s", "status"}};
        a.values = {{":one", N("1")}, {":s", S("s" + std::to_string((t + i) % 3))}};
        EXPECT_TRUE(Update("hot", 1, "SET n = n + :one, #s = :s", "attribute_exists(n)", a).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto item = Get("hot", 1);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->at("n"), N("400"));
  int entries = 0;
  for (const char* status : {"s0", "s1", "s2"}) {
    QueryRequest q;
    q.index_name = "by_status";
    q.key_condition_expression = "#s = :s";
    q.attributes.names = {{"#s", "status"}};
    q.attributes.values = {{":s", S(status)}};
    auto seqs = QuerySeqs(q);
    entries += static_cast<int>(seqs.size());
    if (!seqs.empty()) {
      EXPECT_EQ(item->at("status"), S(status));
    }
  }
  EXPECT_EQ(entries, 1);
}

// PutItemRequest::sync = false skips only the fsync: in an engine that
// syncs, unsynced puts and synced updates of one item still apply in order,
// are visible once answered, and are all there after a reopen.
TEST_F(TableEngineTest, UnsyncedPutsKeepTheirPlaceAmongSyncedWrites) {
  Reopen(20'000, /*sync_writes=*/true);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        PutItemRequest put;
        put.table_name = "orders";
        put.item = {{"customer", S("c" + std::to_string(t))}, {"seq", N(std::to_string(i))}, {"n", N("0")}};
        put.condition_expression = "attribute_not_exists(customer)";
        put.sync = i % 2 == 0;
        ASSERT_TRUE(engine_->PutItem(put).ok());
        EXPECT_TRUE(Get("c" + std::to_string(t), i));  // visible once answered
        ExpressionAttributes a;
        a.values = {{":one", N("1")}, {":zero", N("0")}};
        EXPECT_TRUE(Update("c" + std::to_string(t), i, "SET n = n + :one", "n = :zero", a).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  Reopen(20'000, /*sync_writes=*/true);
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 40; ++i) {
      auto item = Get("c" + std::to_string(t), i);
      ASSERT_TRUE(item) << t << "/" << i;
      EXPECT_EQ(item->at("n"), N("1"));
    }
  }
}

// TryPutItemAsync returns at once; every `done` runs once, after which the
// item is visible, also when no other writer leads its group commit; and
// a failed condition is reported through `done` as well.
TEST_F(TableEngineTest, AsyncPutsReportEachOutcomeOnceAndAreVisibleThen) {
  Reopen(20'000, /*sync_writes=*/true);
  std::atomic<int> ok{0}, failed{0}, missing{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (t == 0) {  // a synced writer alongside
          ASSERT_TRUE(Put("sync", i).ok());
          continue;
        }
        PutItemRequest put;
        put.table_name = "orders";
        put.item = {{"customer", S("async" + std::to_string(t))}, {"seq", N(std::to_string(i))}};
        put.condition_expression = "attribute_not_exists(customer)";
        put.sync = i % 2 == 0;
        ASSERT_TRUE(engine_->TryPutItemAsync(put, [&, t, i](Result<WriteResult> r) {
          if (!r.ok()) return (void)++failed;
          ++ok;
          GetItemRequest get;
          get.table_name = "orders";
          get.key = {{"customer", S("async" + std::to_string(t))}, {"seq", N(std::to_string(i))}};
          auto item = engine_->GetItem(get);
          if (!item.ok() || !*item) ++missing;
        }));
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 1000 && ok + failed < 150; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(ok.load(), 150);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(missing.load(), 0);

  PutItemRequest again;
  again.table_name = "orders";
  again.item = {{"customer", S("async1")}, {"seq", N("0")}};
  again.condition_expression = "attribute_not_exists(customer)";
  std::promise<Status> outcome;
  ASSERT_TRUE(engine_->TryPutItemAsync(again, [&](Result<WriteResult> r) { outcome.set_value(r.status()); }));
  EXPECT_TRUE(outcome.get_future().get().IsConditionFailed());
  Reopen(20'000, /*sync_writes=*/true);
  EXPECT_TRUE(Get("async3", 49));
}

// Async puts racing for one new item: one wins; each loser is refused
// through `done` (never by blocking the caller in an fsync), and only once
// the winner it lost to is visible to readers. Each caller learns before
// the call returns whether its put passed (`staged`), and `done` agrees.
TEST_F(TableEngineTest, AsyncPutsRefusedByAQueuedWriteAnswerOnceItIsVisible) {
  Reopen(20'000, /*sync_writes=*/true);
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> ok{0}, refused{0}, refused_unseen{0}, answered{0};
    std::array<bool, 4> staged{};
    std::array<std::atomic<int>, 4> written{};  // 1 when `done` reported the put written
    auto put_once = [&](int t) {
      PutItemRequest put;
      put.table_name = "orders";
      put.item = {{"customer", S("race")}, {"seq", N(std::to_string(round))}};
      put.condition_expression = "attribute_not_exists(customer)";
      ASSERT_TRUE(engine_->TryPutItemAsync(
          put,
          [&, t](Result<WriteResult> r) {
            if (r.ok()) {
              ++ok;
              written[t] = 1;
            } else if (r.status().IsConditionFailed()) {
              ++refused;
              if (!Get("race", round)) ++refused_unseen;
            }
            ++answered;
          },
          &staged[t]));
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back(put_once, t);
    for (auto& t : threads) t.join();
    for (int i = 0; i < 1000 && answered < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (int t = 0; t < 4; ++t) EXPECT_EQ(staged[t], written[t] == 1) << round << "/" << t;
    EXPECT_EQ(ok.load(), 1) << round;
    EXPECT_EQ(refused.load(), 3) << round;
    EXPECT_EQ(refused_unseen.load(), 0) << round;
  }
}

// The engine keeps recently written items decoded (a few per lock stripe).
// Readers racing writers of a handful of items never see a value older than
// one whose write had returned when the read began, and never go backwards.
TEST_F(TableEngineTest, CachedItemsNeverServeAValueOlderThanAnAnsweredWrite) {
  Reopen(20'000, /*sync_writes=*/true);
  constexpr int kItems = 12;
  std::array<std::atomic<int>, kItems> answered{};
  for (int k = 0; k < kItems; ++k) ASSERT_TRUE(Put("hot", k, {{"n", N("0")}}).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> stale{0}, backwards{0}, reads{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < 300; ++i) {
        int k = (i * 7 + w) % kItems;
        auto r = Update("hot", k, "SET n = n + :one", "", {{}, {{":one", N("1")}}}, ReturnValues::kAllNew);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        int n = std::stoi(r->attributes->at("n").scalar());
        for (int seen = answered[k]; seen < n && !answered[k].compare_exchange_weak(seen, n);) {
        }
      }
    });
  }
  for (int rd = 0; rd < 3; ++rd) {
    threads.emplace_back([&] {
      std::array<int, kItems> last{};
      while (!stop) {
        for (int k = 0; k < kItems; ++k) {
          int floor = answered[k];
          auto item = Get("hot", k);
          if (!item) continue;
          int n = std::stoi(item->at("n").scalar());
          stale += n < floor;
          backwards += n < last[k];
          last[k] = n;
          ++reads;
        }
      }
    });
  }
  for (int w = 0; w < 3; ++w) threads[w].join();
  stop = true;
  for (size_t t = 3; t < threads.size(); ++t) threads[t].join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(stale.load(), 0);
  EXPECT_EQ(backwards.load(), 0);
  int total = 0;
  for (int k = 0; k < kItems; ++k) total += std::stoi(Get("hot", k)->at("n").scalar());
  EXPECT_EQ(total, 900);  // every increment built on the one before
}

// A transaction becomes visible to readers at once, whatever path a read
// takes: once a read saw its value of one item (from the cache or, through
// Query, from RocksDB), a later read of its other item never returns the
// value before it.
TEST_F(TableEngineTest, ReadsNeverSeePartOfATransaction) {
  Reopen(20'000, /*sync_writes=*/true);
  auto set_both = [&](int n) {
    std::vector<TransactWriteItem> items(2);
    for (int seq = 0; seq < 2; ++seq) {
      items[seq].kind = TransactWriteItem::Kind::kPut;
      items[seq].table_name = "orders";
      items[seq].item = {{"customer", S("pair")}, {"seq", N(std::to_string(seq))}, {"n", N(std::to_string(n))}};
    }
    return engine_->TransactWriteItems(items, "");
  };
  ASSERT_TRUE(set_both(0).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, reads{0};
  auto n_of = [](const std::optional<Item>& item) { return item ? std::stoi(item->at("n").scalar()) : -1; };
  std::vector<std::thread> readers;
  readers.emplace_back([&] {  // both through GetItem
    while (!stop) {
      int first = n_of(Get("pair", 0));
      torn += n_of(Get("pair", 1)) < first;
      ++reads;
    }
  });
  readers.emplace_back([&] {  // the first through Query, which reads RocksDB
    while (!stop) {
      QueryRequest q;
      q.table_name = "orders";
      q.key_condition_expression = "customer = :c AND seq = :s";
      q.attributes.values = {{":c", S("pair")}, {":s", N("0")}};
      auto page = engine_->Query(q);
      if (!page.ok() || page->items.empty()) continue;
      int first = n_of(page->items.front());
      torn += n_of(Get("pair", 1)) < first;
      ++reads;
    }
  });
  for (int n = 1; n <= 2'000; ++n) ASSERT_TRUE(set_both(n).ok());
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(torn.load(), 0);
}

// A pass examines a bounded number of items and the next continues there,
// wrapping around, so every expired item goes within a few passes.
TEST_F(TableEngineTest, TtlPassesAreBoundedAndTogetherCoverTheTable) {
  Reopen(/*ttl_items_per_pass=*/4);
  ASSERT_TRUE(engine_->UpdateTimeToLive("orders", "expires").ok());
  int64_t now = clock_.NowMillis() / 1000;
  for (int seq = 1; seq <= 10; ++seq) {
    std::string expires = std::to_string(seq % 2 == 0 ? now + 60 : now + 3600);  // even ones expire first
    ASSERT_TRUE(Put("c1", seq, {{"expires", N(expires)}}).ok());
  }
  clock_.AdvanceMillis(61'000);
  int deleted = 0;
  std::vector<int> per_pass;
  for (int pass = 0; pass < 3; ++pass) {
    per_pass.push_back(*engine_->ExpireTtlOnce());
    deleted += per_pass.back();
  }
  EXPECT_EQ(deleted, 5);  // 10 items, 4 per pass: all seen after 3 passes
  EXPECT_EQ(per_pass[0], 2);  // seqs 1-4
  for (int seq = 1; seq <= 10; ++seq) EXPECT_EQ(Get("c1", seq).has_value(), seq % 2 == 1) << seq;
  // Wrapped around: later passes find the rest once they expire.
  clock_.AdvanceMillis(3'600'000);
  for (int pass = 0; pass < 3; ++pass) deleted += *engine_->ExpireTtlOnce();
  EXPECT_EQ(deleted, 10);
}

TEST_F(TableEngineTest, TtlExpiresItemsWhenTheClockPassesThem) {
  ASSERT_TRUE(engine_->UpdateTimeToLive("orders", "expires").ok());
  int64_t now = clock_.NowMillis() / 1000;
  ASSERT_TRUE(Put("c1", 1, {{"expires", N(std::to_string(now + 60))}, {"status", S("NEW")}}).ok());
  ASSERT_TRUE(Put("c1", 2, {{"expires", S("not a number")}}).ok());
  ASSERT_TRUE(Put("c1", 3).ok());
  EXPECT_EQ(*engine_->ExpireTtlOnce(), 0);
  clock_.AdvanceMillis(61'000);
  EXPECT_EQ(*engine_->ExpireTtlOnce(), 1);
  EXPECT_FALSE(Get("c1", 1));
  EXPECT_TRUE(Get("c1", 2));
  QueryRequest q;
  q.index_name = "by_status";
  q.key_condition_expression = "#s = :s";
  q.attributes.names = {{"#s", "status"}};
  q.attributes.values = {{":s", S("NEW")}};
  EXPECT_TRUE(QuerySeqs(q).empty());  // its index entry went with it
}

TEST_F(TableEngineTest, ScanSegmentsCoverEveryItemOnce) {
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(Put("c" + std::to_string(i), i).ok());
  std::multiset<std::string> seen;
  for (int segment = 0; segment < 3; ++segment) {
    ScanRequest s;
    s.table_name = "orders";
    s.segment = segment;
    s.total_segments = 3;
    auto r = engine_->Scan(s);
    ASSERT_TRUE(r.ok());
    for (const auto& item : r->items) seen.insert(item.at("customer").scalar());
  }
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 50u);
}

TEST_F(TableEngineTest, TablesAndItemsSurviveReopen) {
  ASSERT_TRUE(Put("c1", 1, {{"status", S("NEW")}}).ok());
  Reopen();
  EXPECT_TRUE(Get("c1", 1));
  EXPECT_TRUE(engine_->DescribeTable("orders").ok());
}

// kill -9 leaves the files as they are in the page cache: a copy taken while
// the engine is open. Its WAL ends in preallocated space, read as zeros
// (wal_file_system.h).
TEST_F(TableEngineTest, ACopyTakenWhileOpenHoldsEveryAcknowledgedWrite) {
  Reopen(20'000, /*sync_writes=*/true);
  const std::string filler(2000, 'x');
  for (int batch = 0; batch < 80; ++batch) {
    std::map<std::string, std::vector<WriteRequest>> writes;
    for (int i = 0; i < 25; ++i) {
      Item item{{"customer", S("c")}, {"seq", N(std::to_string(batch * 25 + i))}, {"filler", S(filler)}};
      writes["orders"].push_back({std::move(item), std::nullopt});
    }
    ASSERT_TRUE(engine_->BatchWriteItem(writes).ok());
  }
  std::filesystem::path copy = dir_.string() + "_copy";
  std::filesystem::remove_all(copy);
  std::filesystem::copy(dir_, copy, std::filesystem::copy_options::recursive);
  bool zero_tail = false;
  for (const auto& entry : std::filesystem::directory_iterator(copy)) {
    if (entry.path().extension() != ".log" || entry.file_size() == 0) continue;
    std::ifstream wal(entry.path(), std::ios::binary);
    wal.seekg(-1, std::ios::end);
    zero_tail |= wal.get() == 0;
  }
  EXPECT_TRUE(zero_tail) << "no WAL with preallocated space in the copy";
  engine_.reset();
  std::filesystem::remove_all(dir_);
  dir_ = copy;
  Reopen();
  for (int seq = 0; seq < 2000; ++seq) ASSERT_TRUE(Get("c", seq)) << seq;
}

TEST_F(TableEngineTest, RecreatedTableStartsEmpty) {
  ASSERT_TRUE(Put("c1", 1).ok());
  auto d = engine_->DescribeTable("orders");
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(engine_->DeleteTable("orders").ok());
  CreateTableRequest r;
  r.table_name = "orders";
  r.key_schema = d->key_schema;
  r.attribute_definitions = {{"customer", AttributeValue::Type::kS}, {"seq", AttributeValue::Type::kN}};
  ASSERT_TRUE(engine_->CreateTable(r).ok());
  EXPECT_FALSE(Get("c1", 1));
}

TEST_F(TableEngineTest, BatchWriteAndBatchGet) {
  std::map<std::string, std::vector<WriteRequest>> writes;
  for (int i = 0; i < 5; ++i) {
    writes["orders"].push_back({Item{{"customer", S("b")}, {"seq", N(std::to_string(i))}}, std::nullopt});
  }
  ASSERT_TRUE(engine_->BatchWriteItem(writes).ok());
  std::map<std::string, KeysAndAttributes> gets;
  gets["orders"].keys = {{{"customer", S("b")}, {"seq", N("1")}}, {{"customer", S("b")}, {"seq", N("9")}}};
  auto r = engine_->BatchGetItem(gets);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->responses["orders"].size(), 1u);
}

// The memtable's insert hint groups keys by their first kIndexPrefixSize bytes.
TEST(TableSchemaTest, IndexPrefixSizeIsTheLengthOfEveryIndexPrefix) {
  EXPECT_EQ(IndexPrefix(1, 0).size(), kIndexPrefixSize);
  EXPECT_EQ(IndexPrefix(UINT32_MAX, UINT16_MAX).size(), kIndexPrefixSize);
}

}  // namespace
}  // namespace table

namespace table {
namespace {

class ChangeFeedTest : public TableEngineTest {
 protected:
  void EnableStream(StreamViewType view) {
    UpdateTableRequest u;
    u.table_name = "orders";
    u.stream_specification = StreamSpecification{true, view};
    auto d = engine_->UpdateTable(u);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_TRUE(d->stream_specification.enabled);
    EXPECT_FALSE(d->latest_stream_label.empty());
    EXPECT_EQ(d->latest_stream_arn, d->table_arn + "/stream/" + d->latest_stream_label);
  }
  std::vector<ChangeRecord> Changes() {
    auto r = engine_->ReadChanges(0, 1000);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<ChangeRecord>();
  }
};

TEST_F(ChangeFeedTest, EveryChangingWriteLeavesOneRecordInOrder) {
  ASSERT_TRUE(Put("c1", 1, {{"status", S("NEW")}}).ok());  // before the stream: no record
  EnableStream(StreamViewType::kNewAndOldImages);
  ASSERT_TRUE(Put("c1", 2, {{"status", S("NEW")}}).ok());
  ExpressionAttributes a;
  a.names = {{"#s", "status"}};
  a.values = {{":p", S("PAID")}};
  ASSERT_TRUE(Update("c1", 2, "SET #s = :p", "", a).ok());
  ASSERT_TRUE(Put("c1", 2, {{"status", S("PAID")}}).ok());  // changes nothing: no record
  EXPECT_TRUE(Put("c1", 2, {}, "attribute_not_exists(seq)").IsConditionFailed());  // failed: no record
  DeleteItemRequest d;
  d.table_name = "orders";
  d.key = {{"customer", S("c1")}, {"seq", N("2")}};
  ASSERT_TRUE(engine_->DeleteItem(d).ok());

  auto changes = Changes();
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].event_name, "INSERT");
  EXPECT_EQ(changes[1].event_name, "MODIFY");
  EXPECT_EQ(changes[2].event_name, "REMOVE");
  EXPECT_LT(changes[0].sequence, changes[1].sequence);
  EXPECT_LT(changes[1].sequence, changes[2].sequence);
  Item key = {{"customer", S("c1")}, {"seq", N("2")}};
  for (const auto& c : changes) {
    EXPECT_EQ(c.table_name, "orders");
    EXPECT_EQ(c.keys, key);
    EXPECT_GT(c.size_bytes, 0);
  }
  EXPECT_FALSE(changes[0].old_image);
  EXPECT_EQ(changes[0].new_image->at("status"), S("NEW"));
  EXPECT_EQ(changes[1].old_image->at("status"), S("NEW"));
  EXPECT_EQ(changes[1].new_image->at("status"), S("PAID"));
  EXPECT_EQ(changes[2].old_image->at("status"), S("PAID"));
  EXPECT_FALSE(changes[2].new_image);
}

TEST_F(ChangeFeedTest, ViewTypeChoosesTheImages) {
  EnableStream(StreamViewType::kKeysOnly);
  ASSERT_TRUE(Put("c1", 1, {{"status", S("NEW")}}).ok());
  auto changes = Changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].view_type, StreamViewType::kKeysOnly);
  EXPECT_FALSE(changes[0].new_image);
  EXPECT_FALSE(changes[0].old_image);
  // Enabled twice is an error; disabling and enabling again changes the view.
  UpdateTableRequest u;
  u.table_name = "orders";
  u.stream_specification = StreamSpecification{true, StreamViewType::kNewImage};
  EXPECT_TRUE(engine_->UpdateTable(u).status().IsInvalidArgument());
  u.stream_specification = StreamSpecification{false, StreamViewType::kNewImage};
  ASSERT_TRUE(engine_->UpdateTable(u).ok());
  EXPECT_TRUE(engine_->UpdateTable(u).status().IsInvalidArgument());  // already disabled
  ASSERT_TRUE(Put("c1", 2).ok());  // disabled: no record
  EnableStream(StreamViewType::kOldImage);
  ASSERT_TRUE(Put("c1", 1, {{"status", S("PAID")}}).ok());
  changes = Changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].view_type, StreamViewType::kOldImage);
  EXPECT_FALSE(changes[1].new_image);
  EXPECT_EQ(changes[1].old_image->at("status"), S("NEW"));
}

TEST_F(ChangeFeedTest, TransactionsAndBatchesLeaveARecordPerItemAndSequencesSurviveReopen) {
  EnableStream(StreamViewType::kNewImage);
  std::vector<TransactWriteItem> tx(2);
  tx[0].table_name = tx[1].table_name = "orders";
  tx[0].item = {{"customer", S("c1")}, {"seq", N("1")}};
  tx[1].item = {{"customer", S("c2")}, {"seq", N("1")}};
  ASSERT_TRUE(engine_->TransactWriteItems(tx, "").ok());
  ASSERT_EQ(Changes().size(), 2u);
  uint64_t last = Changes().back().sequence;
  std::vector<uint64_t> forwarded;
  for (const auto& c : Changes()) forwarded.push_back(c.sequence);
  ASSERT_TRUE(engine_->AckChanges(forwarded, {{"dynamodb.orders", "shardId-000000000000 1"}}).ok());
  EXPECT_TRUE(Changes().empty());
  Reopen();
  auto cursor = engine_->LoadChangeCursor();
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(cursor->through, last);
  EXPECT_EQ(cursor->positions.at("dynamodb.orders"), "shardId-000000000000 1");
  auto d = engine_->DescribeTable("orders");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->stream_specification.enabled);
  EXPECT_EQ(d->stream_specification.view_type, StreamViewType::kNewImage);
  ASSERT_TRUE(Put("c3", 1).ok());
  auto changes = Changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_GT(changes[0].sequence, last);  // never reused after the records were deleted
}

}  // namespace
}  // namespace table
