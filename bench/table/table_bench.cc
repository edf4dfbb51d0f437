// In-process TableEngine operations per second (no HTTP, no JSON): point
// reads, durable and non-durable puts, 100-item queries. Writes only under a
// fresh temp directory, removed at exit.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "table/table_engine.h"

namespace {

using table::AttributeValue;

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<table::TableEngine> engine;

  explicit Fixture(bool sync) {
    dir = std::filesystem::temp_directory_path() / ("table_bench_" + std::to_string(::getpid()) + (sync ? "_s" : "_n"));
    std::filesystem::remove_all(dir);
    table::TableEngineOptions options;
    options.sync_writes = sync;
    options.ttl_interval_millis = 0;
    engine = table::TableEngine::Open(dir.string(), options).value();
    table::CreateTableRequest r;
    r.table_name = "bench";
    r.key_schema = {{"pk", table::KeyType::kHash}, {"sk", table::KeyType::kRange}};
    r.attribute_definitions = {{"pk", AttributeValue::Type::kS}, {"sk", AttributeValue::Type::kN}};
    (void)engine->CreateTable(r);
    // Only the non-durable engine is read from; preloading the durable one
    // would cost 10,000 fsyncs.
    if (!sync) {
      for (int i = 0; i < 10000; ++i) (void)engine->PutItem(Put("get", i));
      // Hot items with many versions in the memtable, as a shop's products
      // get from their stock updates.
      for (int round = 0; round < 200; ++round) {
        for (int i = 0; i < 50; ++i) (void)engine->PutItem(Put("hot", i));
      }
    }
  }
  ~Fixture() {
    engine.reset();
    std::filesystem::remove_all(dir);
  }
  static table::PutItemRequest Put(const std::string& pk, long sk) {
    table::PutItemRequest r;
    r.table_name = "bench";
    r.item = MakeItem(pk, sk);
    return r;
  }
  static table::Item MakeItem(const std::string& pk, long sk) {
    return {{"pk", AttributeValue::S(pk)}, {"sk", AttributeValue::N(std::to_string(sk))},
            {"status", AttributeValue::S("NEW")}, {"total", AttributeValue::N("123.45")},
            {"note", AttributeValue::S(std::string(80, 'x'))}};
  }
};

Fixture& Durable() {
  static Fixture f(true);
  return f;
}
Fixture& Fast() {
  static Fixture f(false);
  return f;
}
Fixture& Shared(bool sync) { return sync ? Durable() : Fast(); }

// Point reads of random items among `count` under partition `pk`.
void ReadItems(benchmark::State& state, const char* pk, int count) {
  auto& f = Shared(false);
  std::mt19937_64 rng(static_cast<uint64_t>(state.thread_index()) + 1);
  table::GetItemRequest r;
  r.table_name = "bench";
  for (auto _ : state) {
    r.key = {{"pk", AttributeValue::S(pk)}, {"sk", AttributeValue::N(std::to_string(rng() % count))}};
    auto item = f.engine->GetItem(r);
    benchmark::DoNotOptimize(item);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_GetItem(benchmark::State& state) { ReadItems(state, "get", 10000); }
BENCHMARK(BM_GetItem)->Threads(1)->Threads(2)->UseRealTime();

// Reads of 50 items written 200 times each: the engine's decoded-item cache
// (table_engine.cc) answers them without searching the memtable.
void BM_GetHotItem(benchmark::State& state) { ReadItems(state, "hot", 50); }
BENCHMARK(BM_GetHotItem)->Threads(1)->Threads(2)->UseRealTime();

void BM_PutItem(benchmark::State& state) {
  bool sync = state.range(0) != 0;
  auto& f = Shared(sync);
  long i = 0;
  std::string pk = "w" + std::to_string(state.thread_index());
  for (auto _ : state) {
    auto result = f.engine->PutItem(Fixture::Put(pk, i++));
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PutItem)->Arg(0)->Arg(1)->Threads(1)->Threads(16)->UseRealTime();

// A conditional update with names and values, not synced: what the order
// processor and the outbox send, without the fsync (expression parsing,
// read, apply, stage).
void BM_UpdateItem(benchmark::State& state) {
  auto& f = Shared(false);
  std::mt19937_64 rng(static_cast<uint64_t>(state.thread_index()) + 1);
  table::UpdateItemRequest r;
  r.table_name = "bench";
  r.update_expression = "SET #s = :s, total = total + :t, updatedAt = :now";
  r.condition_expression = "attribute_exists(pk) AND #s <> :cancelled";
  r.attributes.names = {{"#s", "status"}};
  r.sync = false;
  long n = 0;
  for (auto _ : state) {
    r.key = {{"pk", AttributeValue::S("get")}, {"sk", AttributeValue::N(std::to_string(rng() % 10000))}};
    r.attributes.values = {{":s", AttributeValue::S("PAID")}, {":t", AttributeValue::N("1")},
                           {":now", AttributeValue::N(std::to_string(++n))}, {":cancelled", AttributeValue::S("CANCELLED")}};
    auto result = f.engine->UpdateItem(r);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UpdateItem)->Threads(1)->UseRealTime();

// Every thread increments one counter item (durable): writers of one item
// wait on each other's item lock, so this measures how many fsyncs they share.
void BM_UpdateHotItem(benchmark::State& state) {
  auto& f = Shared(true);
  table::UpdateItemRequest r;
  r.table_name = "bench";
  r.key = {{"pk", AttributeValue::S("hot")}, {"sk", AttributeValue::N("0")}};
  r.update_expression = "ADD hits :one";
  r.attributes.values = {{":one", AttributeValue::N("1")}};
  for (auto _ : state) {
    auto result = f.engine->UpdateItem(r);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UpdateHotItem)->Threads(16)->UseRealTime();

// An order decided as the order processor decides it, not synced: the
// PLACED row (a nested item with three KEYS_ONLY indexes), then one
// transaction that rewrites it CONFIRMED under a condition on the old row
// and takes the stock from its product (read, apply, stage, cache).
table::Item OrderRow(const std::string& id, const std::string& status) {
  auto line = [](const std::string& product) {
    return AttributeValue::M({{"productId", AttributeValue::S(product)}, {"name", AttributeValue::S("Trail shoe " + product)},
                              {"category", AttributeValue::S("shoes")}, {"quantity", AttributeValue::N("2")},
                              {"unitPrice", AttributeValue::N("8999")}, {"lineTotal", AttributeValue::N("17998")}});
  };
  auto entry = [](const std::string& s) {
    return AttributeValue::M({{"status", AttributeValue::S(s)}, {"at", AttributeValue::S("2026-11-26T19:00:00.000Z")}});
  };
  std::vector<AttributeValue> history = {entry("PLACED")};
  if (status != "PLACED") history.push_back(entry(status));
  return {{"id", AttributeValue::S(id)}, {"customerId", AttributeValue::S("customer-0042")},
          {"customerEmail", AttributeValue::S("ada@example.com")}, {"customerName", AttributeValue::S("Ada Lovelace")},
          {"status", AttributeValue::S(status)}, {"items", AttributeValue::L({line("p-01"), line("p-02")})},
          {"total", AttributeValue::N("35996")}, {"currency", AttributeValue::S("EUR")},
          {"shippingAddress", AttributeValue::M({{"name", AttributeValue::S("Ada Lovelace")},
                                                 {"line1", AttributeValue::S("12 Analytical Way")},
                                                 {"city", AttributeValue::S("London")},
                                                 {"postalCode", AttributeValue::S("N1 9GU")},
                                                 {"country", AttributeValue::S("GB")}})},
          {"createdAt", AttributeValue::S("2026-11-26T19:00:00.000Z")}, {"all", AttributeValue::S("all")},
          {"history", AttributeValue::L(std::move(history))}};
}

void BM_DecideOrder(benchmark::State& state) {
  auto& f = Shared(false);
  static const bool created = [&] {
    auto keys_only = [](std::string name, std::string hash) {
      table::GlobalSecondaryIndex gsi;
      gsi.index_name = std::move(name);
      gsi.key_schema = {{std::move(hash), table::KeyType::kHash}, {"createdAt", table::KeyType::kRange}};
      gsi.projection.type = table::ProjectionType::kKeysOnly;
      return gsi;
    };
    table::CreateTableRequest orders;
    orders.table_name = "orders";
    orders.key_schema = {{"id", table::KeyType::kHash}};
    orders.attribute_definitions = {{"id", AttributeValue::Type::kS}, {"customerId", AttributeValue::Type::kS},
                                    {"status", AttributeValue::Type::kS}, {"all", AttributeValue::Type::kS},
                                    {"createdAt", AttributeValue::Type::kS}};
    orders.global_secondary_indexes = {keys_only("byCustomer", "customerId"), keys_only("byStatus", "status"),
                                       keys_only("byTime", "all")};
    (void)f.engine->CreateTable(orders);
    table::CreateTableRequest products;
    products.table_name = "products";
    products.key_schema = {{"id", table::KeyType::kHash}};
    products.attribute_definitions = {{"id", AttributeValue::Type::kS}};
    (void)f.engine->CreateTable(products);
    for (int i = 0; i < 50; ++i) {
      table::PutItemRequest p;
      p.table_name = "products";
      p.item = {{"id", AttributeValue::S("p-" + std::to_string(i))}, {"name", AttributeValue::S("Trail shoe")},
                {"price", AttributeValue::N("8999")}, {"stock", AttributeValue::N("1000000000")}};
      (void)f.engine->PutItem(p);
    }
    return true;
  }();
  benchmark::DoNotOptimize(created);
  static long n = 0;  // repetitions write new orders
  for (auto _ : state) {
    std::string id = "order-" + std::to_string(++n);
    table::PutItemRequest placed;
    placed.table_name = "orders";
    placed.item = OrderRow(id, "PLACED");
    placed.condition_expression = "attribute_not_exists(id)";
    placed.sync = false;
    if (auto s = f.engine->PutItem(placed); !s.ok()) state.SkipWithError(s.status().ToString().c_str());
    std::vector<table::TransactWriteItem> actions(2);
    actions[0].table_name = "orders";
    actions[0].item = OrderRow(id, "CONFIRMED");
    actions[0].condition_expression = "attribute_not_exists(id) OR (#s = :placed AND NOT contains(appliedEvents, :eid))";
    actions[0].attributes.names = {{"#s", "status"}};
    actions[0].attributes.values = {{":placed", AttributeValue::S("PLACED")}, {":eid", AttributeValue::S("e-" + id)}};
    actions[1].kind = table::TransactWriteItem::Kind::kUpdate;
    actions[1].table_name = "products";
    actions[1].key = {{"id", AttributeValue::S("p-" + std::to_string(n % 50))}};
    actions[1].update_expression = "SET stock = stock - :q";
    actions[1].condition_expression = "attribute_exists(id) AND stock >= :q";
    actions[1].attributes.values = {{":q", AttributeValue::N("2")}};
    if (auto s = f.engine->TransactWriteItems(actions, "", nullptr); !s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecideOrder)->UseRealTime();

void BM_Query100(benchmark::State& state) {
  auto& f = Shared(false);
  std::mt19937_64 rng(1);
  table::QueryRequest q;
  q.table_name = "bench";
  q.key_condition_expression = "pk = :p AND sk >= :s";
  q.limit = 100;
  for (auto _ : state) {
    q.attributes.values = {{":p", AttributeValue::S("get")}, {":s", AttributeValue::N(std::to_string(rng() % 9900))}};
    auto result = f.engine->Query(q);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Query100)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
