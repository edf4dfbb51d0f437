// functions_overhead_bench: what the functions runtime costs on top of
// reading the stream. In one process and one run, on the same records:
//   raw read        GetShardIterator(TRIM_HORIZON) + GetRecords(10000) over
//                   every shard, one thread per worker like the runtime's
//   runtime B=100   a mapping (TRIM_HORIZON, BatchSize 100, window 0) with a
//                   no-op function, checkpoints after every batch in a table
//                   engine without fsync (the server's default,
//                   functions.sync_checkpoints = false), until every record
//                   was invoked
//   runtime B=1000  the same with BatchSize 1000
//   runtime B=100, no checkpoints   persist_checkpoints = false
//   runtime B=100, fsync'd checkpoints   functions.sync_checkpoints = true
//   runtime B=100, role-checked reads   each read call asks the function's
//                   execution role (roles::RoleChecker, as the server does
//                   for built-in functions), otherwise as runtime B=100
// Prints records/s and the ratio to the raw read rate (median of --runs).
//
// Usage: functions_overhead_bench [--records N] [--shards S] [--runs R] [--dir D]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "functions/checkpoint_store.h"
#include "functions/runtime.h"
#include "iam/identity_store.h"
#include "roles/execution_roles.h"
#include "roles/role_checker.h"
#include "stream/stream_engine.h"
#include "table/table_engine.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

class NoopFunction final : public functions::Function {
 public:
  functions::InvocationResult Invoke(const functions::Batch& batch, const functions::InvocationContext&) override {
    records.fetch_add(static_cast<int64_t>(batch.records.size()));
    return functions::InvocationResult::Success();
  }
  std::atomic<int64_t> records{0};
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "functions_overhead_bench: %s\n", what.c_str());
  std::exit(1);
}

double RawRead(stream::StreamEngine* streams, int shards, int threads, int64_t expected) {
  auto start = Clock::now();
  std::atomic<int64_t> total{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < threads; ++t) {
    readers.emplace_back([&, t] {
      for (int s = t; s < shards; s += threads) {
        stream::IteratorRequest request;
        request.stream_name = "bench";
        request.shard_id = fmt::format("shardId-{:012d}", s);
        request.type = stream::IteratorType::kTrimHorizon;
        auto iterator = streams->GetShardIterator(request);
        if (!iterator.ok()) Die(iterator.status().ToString());
        std::string it = *iterator;
        while (!it.empty()) {
          auto got = streams->GetRecords(it, 10000);
          if (!got.ok()) Die(got.status().ToString());
          total += static_cast<int64_t>(got->records.size());
          if (got->records.empty()) break;
          it = got->next_shard_iterator;
        }
      }
    });
  }
  for (auto& r : readers) r.join();
  if (total != expected) Die(fmt::format("raw read saw {} of {} records", total.load(), expected));
  return static_cast<double>(expected) / Seconds(start);
}

double Runtime(stream::StreamEngine* streams, functions::CheckpointStore* checkpoints, int workers, int batch_size,
               bool persist, int64_t expected, int run, const roles::RoleChecker* role = nullptr) {
  auto function = std::make_shared<NoopFunction>();
  functions::RuntimeOptions options;
  options.worker_threads = workers;
  functions::FunctionRuntime runtime(streams, checkpoints, options);
  if (!runtime.RegisterFunction("noop", function).ok()) Die("register");
  if (role != nullptr) {
    runtime.SetSourceReadCheck("noop", [role](std::string_view action, const std::string& stream) {
      return role->Check(action, "arn:aws:kinesis:" + role->region() + ":" + role->account() + ":stream/" + stream);
    });
  }
  functions::EventSourceMappingConfig mapping;
  mapping.id = fmt::format("bench-{}-{}-{}-{}", batch_size, persist, run, role != nullptr);  // fresh checkpoints
  mapping.function_name = "noop";
  mapping.stream_name = "bench";
  mapping.batch_size = batch_size;
  mapping.starting_position = functions::StartingPosition::kTrimHorizon;
  mapping.persist_checkpoints = persist;
  auto start = Clock::now();
  if (auto id = runtime.CreateMapping(mapping); !id.ok()) Die(id.status().ToString());
  while (function->records.load() < expected) std::this_thread::sleep_for(std::chrono::microseconds(200));
  double rate = static_cast<double>(expected) / Seconds(start);
  if (function->records.load() != expected) Die("the function saw more records than were written");
  return rate;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int64_t records = 200'000;
  int shards = 4, runs = 3, workers = 2;
  fs::path dir = fs::temp_directory_path() / ("functions-bench-" + std::to_string(::getpid()));
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--records") records = std::stoll(argv[i + 1]);
    else if (flag == "--shards") shards = std::stoi(argv[i + 1]);
    else if (flag == "--runs") runs = std::stoi(argv[i + 1]);
    else if (flag == "--workers") workers = std::stoi(argv[i + 1]);
    else if (flag == "--dir") dir = argv[i + 1];
    else Die("unknown flag " + flag);
  }
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    stream::StreamEngineOptions stream_options;
    stream_options.data_dir = (dir / "streams").string();
    stream_options.durability = stream::Durability::kNone;  // we measure reading, not fsync
    auto streams = stream::StreamEngine::Open(stream_options);
    if (!streams.ok()) Die(streams.status().ToString());
    table::TableEngineOptions table_options;
    table_options.ttl_interval_millis = 0;
    table_options.sync_writes = false;  // the server's checkpoint engine
    auto tables = table::TableEngine::Open((dir / "tables").string(), table_options);
    if (!tables.ok()) Die(tables.status().ToString());
    auto checkpoints = functions::TableCheckpointStore::Open(tables->get());
    if (!checkpoints.ok()) Die(checkpoints.status().ToString());
    table_options.sync_writes = true;
    auto synced_tables = table::TableEngine::Open((dir / "synced").string(), table_options);
    if (!synced_tables.ok()) Die(synced_tables.status().ToString());
    auto synced = functions::TableCheckpointStore::Open(synced_tables->get());
    if (!synced.ok()) Die(synced.status().ToString());
    if (auto s = (*streams)->CreateStream("bench", shards, stream::StreamMode::kProvisioned); !s.ok()) {
      Die(s.ToString());
    }
    std::string payload(100, 'x');
    for (int64_t start = 0; start < records; start += 500) {
      std::vector<stream::PutEntry> entries;
      for (int64_t i = start; i < std::min(records, start + 500); ++i) {
        entries.push_back({"key-" + std::to_string(i), std::nullopt, payload});
      }
      std::promise<void> done;
      (*streams)->PutRecords("bench", std::move(entries), [&](auto result) {
        if (!result.ok()) Die(result.status().ToString());
        done.set_value();
      });
      done.get_future().wait();
    }
    std::fprintf(stderr, "%lld records of 100 bytes in %d shards; %d runs each, %d worker threads\n",
                 static_cast<long long>(records), shards, runs, workers);

    // An execution role that may read the stream (the built-in roles' ReadEventSource).
    auto identities = iam::IdentityStore::Open(tables->get());
    if (!identities.ok()) Die(identities.status().ToString());
    roles::ExecutionRole bench_role{"noop", "rivulet-bench", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Action":["kinesis:DescribeStream","kinesis:GetShardIterator","kinesis:GetRecords"],
        "Resource":"arn:aws:kinesis:*:000000000000:stream/bench"}]})"};
    auto principal = roles::EnsureExecutionRole(identities->get(), bench_role);
    if (!principal.ok()) Die(principal.status().ToString());
    roles::RoleChecker checker(identities->get(), *principal);

    std::vector<double> raw, b100, b1000, b100_memory, b100_synced, b100_checked;
    for (int run = 0; run < runs; ++run) {
      raw.push_back(RawRead(streams->get(), shards, workers, records));
      b100.push_back(Runtime(streams->get(), checkpoints->get(), workers, 100, true, records, run));
      b1000.push_back(Runtime(streams->get(), checkpoints->get(), workers, 1000, true, records, run));
      b100_memory.push_back(Runtime(streams->get(), checkpoints->get(), workers, 100, false, records, run));
      b100_synced.push_back(Runtime(streams->get(), synced->get(), workers, 100, true, records, run));
      b100_checked.push_back(Runtime(streams->get(), checkpoints->get(), workers, 100, true, records, run, &checker));
    }
    double base = Median(raw);
    std::printf("%-44s %14s %8s\n", "phase (median of runs)", "records/s", "ratio");
    auto row = [&](const char* name, const std::vector<double>& v) {
      std::printf("%-44s %14.0f %7.2fx\n", name, Median(v), Median(v) / base);
      std::printf("{\"phase\": \"%s\", \"records_per_second\": %.0f, \"ratio_to_raw\": %.3f}\n", name, Median(v),
                  Median(v) / base);
    };
    row("raw read (GetRecords 10000)", raw);
    row("runtime no-op, BatchSize 100", b100);
    row("runtime no-op, BatchSize 1000", b1000);
    row("runtime no-op, BatchSize 100, no checkpoints", b100_memory);
    row("runtime no-op, BatchSize 100, fsync'd checkpoints", b100_synced);
    row("runtime no-op, BatchSize 100, role-checked reads", b100_checked);
    std::printf("role-checked reads / unchecked (BatchSize 100): %.3fx\n", Median(b100_checked) / Median(b100));
  }
  fs::remove_all(dir);
  return 0;
}
