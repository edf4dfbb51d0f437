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
