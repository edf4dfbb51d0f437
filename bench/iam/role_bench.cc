// role_bench: what an execution role costs a built-in function, in process,
// on one core: the order-processor's calls through its checked TableClient
// (src/roles: policy check with the role's least-privilege policy, then the
// engine) beside the same calls straight to the engine, in the same run.
//   GetItem            a point read of a cached item (the cheapest call: the
//                      check shows most here)
//   TransactWriteItems stock update + order put, as the processor confirms an
//                      order; writes not fsynced (sync_writes off), so the
//                      check is compared with the CPU cost of the write
//                      alone; with fsync (the server's default) it is smaller still
// Prints ops/s, p50 and p99 per call, and checked/unchecked time ratios.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <unistd.h>
#include <vector>

#include "measure.h"

#include "roles/checked_clients.h"
#include "roles/execution_roles.h"
#include "table/table_engine.h"

namespace {

using bench::Figure;

Figure Measure(const std::function<void()>& fn, double seconds) { return bench::Measure(fn, seconds, 16); }

using table::AttributeValue;

void Print(const char* name, const Figure& checked, const Figure& plain) {
  std::printf("%-34s %10.0f ops/s  p50 %8.0f ns  p99 %8.0f ns\n", (std::string(name) + ", role-checked").c_str(),
              checked.ops_per_s, checked.p50_ns, checked.p99_ns);
  std::printf("%-34s %10.0f ops/s  p50 %8.0f ns  p99 %8.0f ns   (checked/unchecked: %.2fx the time)\n",
              (std::string(name) + ", unchecked").c_str(), plain.ops_per_s, plain.p50_ns, plain.p99_ns,
              plain.ops_per_s / checked.ops_per_s);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("role-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  table::TableEngineOptions options;
  options.sync_writes = false;
  auto engine = table::TableEngine::Open(dir.string(), options);
  if (!engine.ok()) return std::fprintf(stderr, "%s\n", engine.status().ToString().c_str()), 2;
  auto store = iam::IdentityStore::Open(engine->get());
  if (!store.ok()) return std::fprintf(stderr, "%s\n", store.status().ToString().c_str()), 2;
  for (const char* name : {"shop-orders", "shop-products"}) {
    table::CreateTableRequest create;
    create.table_name = name;
    create.key_schema = {{"id", table::KeyType::kHash}};
    create.attribute_definitions = {{"id", AttributeValue::Type::kS}};
    (void)(*engine)->CreateTable(create);
  }
  auto principal = roles::EnsureExecutionRole(store->get(), roles::BuiltInRoles("000000000000", "archive")[0]);
  if (!principal.ok()) return std::fprintf(stderr, "%s\n", principal.status().ToString().c_str()), 2;
  roles::RoleChecker checker(store->get(), *principal);
  roles::CheckedTableClient checked(engine->get(), &checker);
  table::TableClient* plain = engine->get();

  table::PutItemRequest seed;
  seed.table_name = "shop-products";
  seed.item = {{"id", AttributeValue::S("p-001")}, {"stock", AttributeValue::N("1000000000")}};
  (void)plain->PutItem(seed);
  seed.table_name = "shop-orders";
  seed.item = {{"id", AttributeValue::S("o-0")}, {"status", AttributeValue::S("CONFIRMED")}};
  (void)plain->PutItem(seed);

  table::GetItemRequest get;
  get.table_name = "shop-orders";
  get.key = {{"id", AttributeValue::S("o-0")}};
  if (!checked.GetItem(get).ok()) return std::fprintf(stderr, "the role should allow GetItem\n"), 2;
  Figure get_checked = Measure([&] { (void)checked.GetItem(get); }, seconds);
  Figure get_plain = Measure([&] { (void)plain->GetItem(get); }, seconds);

  uint64_t n = 0;
  auto transaction = [&] {
    table::TransactWriteItem stock;
    stock.kind = table::TransactWriteItem::Kind::kUpdate;
    stock.table_name = "shop-products";
    stock.key = {{"id", AttributeValue::S("p-001")}};
    stock.update_expression = "SET stock = stock - :q";
    stock.attributes.values[":q"] = AttributeValue::N("1");
    table::TransactWriteItem row;
    row.kind = table::TransactWriteItem::Kind::kPut;
    row.table_name = "shop-orders";
    row.item = {{"id", AttributeValue::S("o-" + std::to_string(++n))}, {"status", AttributeValue::S("CONFIRMED")}};
    return std::vector<table::TransactWriteItem>{stock, row};
  };
  if (!checked.TransactWriteItems(transaction(), "").ok()) {
    return std::fprintf(stderr, "the role should allow the transaction\n"), 2;
  }
  Figure tx_checked = Measure([&] { (void)checked.TransactWriteItems(transaction(), ""); }, seconds);
  Figure tx_plain = Measure([&] { (void)plain->TransactWriteItems(transaction(), ""); }, seconds);

  Print("GetItem", get_checked, get_plain);
  Print("TransactWriteItems (2 items)", tx_checked, tx_plain);
  store->reset();
  engine->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
