// Runs the functions runtime against the real embedded stream and table
// engines in a temporary folder.
#include "functions/runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "stream/stream_engine.h"
#include "table/table_engine.h"

namespace functions {
namespace {

// A function whose behaviour each test sets; it records what it was given.
class RecordingFunction final : public Function {
 public:
  using Behaviour = std::function<InvocationResult(const Batch&, const InvocationContext&)>;

  InvocationResult Invoke(const Batch& batch, const InvocationContext& context) override {
    InvocationResult result = behaviour_ ? behaviour_(batch, context) : InvocationResult::Success();
    std::lock_guard lock(mu_);
    batches_.push_back(batch);
    if (result.kind == InvocationResult::Kind::kSuccess) {
      for (const auto& r : batch.records) processed_[batch.shard_id].push_back(r.data);
    }
    cv_.notify_all();
    return result;
  }

  // Waits until `pred` holds (checked under the lock); false after 20 s.
  bool WaitUntil(const std::function<bool()>& pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), pred);
  }
  size_t ProcessedCount() {
    size_t n = 0;
    for (const auto& [shard, data] : processed_) n += data.size();
    return n;
  }

  Behaviour behaviour_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Batch> batches_;                                  // guarded by mu_
  std::map<std::string, std::vector<std::string>> processed_;  // guarded by mu_: shard -> data
};

// For state no callback signals: polls `pred` until it holds; false after 20 s.
bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 4000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("functions_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    OpenEngines();
  }
  void TearDown() override {
    runtime_.reset();
    CloseEngines();
    std::filesystem::remove_all(dir_);
  }

  void OpenEngines() {
    stream::StreamEngineOptions options;
    options.data_dir = dir_.string();
    options.durability = stream::Durability::kNone;
    streams_ = std::move(stream::StreamEngine::Open(options).value());
    table::TableEngineOptions table_options;
    table_options.sync_writes = false;
    table_options.ttl_interval_millis = 0;
    tables_ = std::move(table::TableEngine::Open((dir_ / "tables").string(), table_options).value());
    checkpoints_ = std::move(TableCheckpointStore::Open(tables_.get()).value());
  }
  void CloseEngines() {
    checkpoints_.reset();
    tables_.reset();
    streams_.reset();
  }

  void StartRuntime(RuntimeOptions options = {}) {
    runtime_ = std::make_unique<FunctionRuntime>(streams_.get(), checkpoints_.get(), options);
    ASSERT_TRUE(runtime_->RegisterFunction("recorder", function_).ok());
  }

  EventSourceMappingConfig Mapping(const std::string& stream_name) {
    EventSourceMappingConfig c;
    c.id = "mapping-1";
    c.function_name = "recorder";
    c.stream_name = stream_name;
    c.starting_position = StartingPosition::kTrimHorizon;
    return c;
  }

  // Puts `count` records "<prefix><i>" with the given partition keys in one call each 500.
  std::vector<stream::PutResult> Put(const std::string& stream_name, int count, const std::string& prefix,
                                     std::function<std::string(int)> key = nullptr) {
    std::vector<stream::PutResult> out;
    for (int start = 0; start < count; start += 500) {
      std::vector<stream::PutEntry> entries;
      for (int i = start; i < std::min(count, start + 500); ++i) {
        entries.push_back({key ? key(i) : "key-" + std::to_string(i), std::nullopt, prefix + std::to_string(i)});
      }
      std::promise<void> done;
      streams_->PutRecords(stream_name, std::move(entries), [&](auto result) {
        EXPECT_TRUE(result.ok()) << result.status().ToString();
        for (auto& r : *result) out.push_back(r.value());
        done.set_value();
      });
      done.get_future().wait();
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<stream::StreamEngine> streams_;
  std::unique_ptr<table::TableEngine> tables_;
  std::unique_ptr<TableCheckpointStore> checkpoints_;
  std::shared_ptr<RecordingFunction> function_ = std::make_shared<RecordingFunction>();
  std::unique_ptr<FunctionRuntime> runtime_;
};

TEST_F(RuntimeTest, EveryRecordReachesTheFunctionOnceInShardOrder) {
  ASSERT_TRUE(streams_->CreateStream("orders", 3, stream::StreamMode::kProvisioned).ok());
  StartRuntime();
  ASSERT_TRUE(runtime_->CreateMapping(Mapping("orders")).ok());
  auto puts = Put("orders", 1200, "r");
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 1200; }));

  std::map<std::string, std::vector<std::string>> expected;  // shard -> data in put order
  for (size_t i = 0; i < puts.size(); ++i) expected[puts[i].shard_id].push_back("r" + std::to_string(i));
  std::lock_guard lock(function_->mu_);
  EXPECT_EQ(function_->processed_, expected);
}

TEST_F(RuntimeTest, BatchesNeverExceedBatchSize) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.batch_size = 7;
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  Put("orders", 100, "r");
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 100; }));
  std::lock_guard lock(function_->mu_);
  for (const auto& b : function_->batches_) EXPECT_LE(b.records.size(), 7u);
  EXPECT_GE(function_->batches_.size(), 15u);
}

// Records put one by one while a batching window is open arrive as one batch.
TEST_F(RuntimeTest, BatchingWindowGathersRecordsIntoOneBatch) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.maximum_batching_window_ms = 1000;
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  for (int i = 0; i < 20; ++i) Put("orders", 1, "r" + std::to_string(i) + "-");
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 20; }));
  std::lock_guard lock(function_->mu_);
  ASSERT_EQ(function_->batches_.size(), 1u);
  EXPECT_EQ(function_->batches_[0].records.size(), 20u);
}

// A full batch does not wait for the batching window to close: as in
// Lambda, the window bounds the wait for a batch that is not full.
TEST_F(RuntimeTest, AFullBatchGoesBeforeTheBatchingWindowCloses) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.batch_size = 10;
  mapping.maximum_batching_window_ms = 300'000;
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  Put("orders", 1, "first-");  // opens the window, once read:
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Put("orders", 24, "r");
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 20; }));
  std::lock_guard lock(function_->mu_);
  ASSERT_EQ(function_->batches_.size(), 2u);
  for (const auto& b : function_->batches_) EXPECT_EQ(b.records.size(), 10u);
  // The other 5 wait for the window (5 minutes).
  EXPECT_EQ(function_->processed_.begin()->second.size(), 20u);
}

TEST_F(RuntimeTest, BisectLeavesOnlyThePoisonRecordAtTheFailureDestination) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  ASSERT_TRUE(streams_->CreateStream("dlq", 1, stream::StreamMode::kProvisioned).ok());
  function_->behaviour_ = [](const Batch& batch, const InvocationContext&) {
    for (const auto& r : batch.records) {
      if (r.data == "r37") return InvocationResult::Failure("cannot parse r37");
    }
    return InvocationResult::Success();
  };
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.bisect_batch_on_function_error = true;
  mapping.maximum_retry_attempts = 0;
  mapping.on_failure_stream = "dlq";
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  auto puts = Put("orders", 100, "r");
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 99; }));

  {
    std::lock_guard lock(function_->mu_);
    const auto& seen = function_->processed_[puts[0].shard_id];
    std::multiset<std::string> got(seen.begin(), seen.end());
    std::multiset<std::string> want;
    for (int i = 0; i < 100; ++i) if (i != 37) want.insert("r" + std::to_string(i));
    EXPECT_EQ(got, want);  // every other record exactly once
  }
  // The destination holds one record naming exactly r37's sequence number.
  auto shards = streams_->DescribeStream("dlq").value().shards;
  auto it = streams_->GetShardIterator({"dlq", shards[0].shard_id, stream::IteratorType::kTrimHorizon, "", 0});
  auto records = streams_->GetRecords(it.value(), 100).value().records;
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NE(records[0].data.find("\"startSequenceNumber\":\"" + puts[37].sequence_number + "\""), std::string::npos);
  EXPECT_NE(records[0].data.find("\"endSequenceNumber\":\"" + puts[37].sequence_number + "\""), std::string::npos);
  EXPECT_NE(records[0].data.find("RetryAttemptsExhausted"), std::string::npos);
}

TEST_F(RuntimeTest, ReportedItemFailureResumesFromTheLowestFailedRecord) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  Put("orders", 10, "r");
  std::atomic<bool> failed_once{false};
  function_->behaviour_ = [&](const Batch& batch, const InvocationContext&) {
    if (!failed_once.exchange(true)) {
      return InvocationResult::PartialFailure({batch.records[6].sequence_number, batch.records[8].sequence_number});
    }
    return InvocationResult::Success();
  };
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.report_batch_item_failures = true;
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->batches_.size() >= 2 && function_->ProcessedCount() >= 4; }));
  std::lock_guard lock(function_->mu_);
  ASSERT_EQ(function_->batches_[0].records.size(), 10u);
  // The retry starts at r6: r0..r5 are not invoked again.
  ASSERT_EQ(function_->batches_[1].records.size(), 4u);
  EXPECT_EQ(function_->batches_[1].records.front().data, "r6");
}

TEST_F(RuntimeTest, RetriesStopAtMaximumRetryAttempts) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  ASSERT_TRUE(streams_->CreateStream("dlq", 1, stream::StreamMode::kProvisioned).ok());
  function_->behaviour_ = [](const Batch& batch, const InvocationContext& context) {
    return batch.records[0].data == "bad" ? InvocationResult::Failure("always") : InvocationResult::Success();
  };
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.batch_size = 1;  // "good" must not share the poisoned batch
  mapping.maximum_retry_attempts = 2;
  mapping.on_failure_stream = "dlq";
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  ASSERT_TRUE(streams_->PutRecord("orders", {"k", std::nullopt, "bad"}).ok());
  Put("orders", 1, "good", [](int) { return "k"; });
  ASSERT_TRUE(function_->WaitUntil([&] {
    for (const auto& [s, data] : function_->processed_)
      for (const auto& d : data) if (d == "good0") return true;
    return false;
  }));
  std::lock_guard lock(function_->mu_);
  int bad_attempts = 0;
  for (const auto& b : function_->batches_) {
    for (const auto& r : b.records) if (r.data == "bad") ++bad_attempts;
  }
  EXPECT_EQ(bad_attempts, 3);  // the first try and two retries
  EXPECT_EQ(runtime_->GetMapping("mapping-1").value().shards[0].records_to_failure_destination, 1);
}

TEST_F(RuntimeTest, RestartResumesAfterTheCheckpoint) {
  ASSERT_TRUE(streams_->CreateStream("orders", 2, stream::StreamMode::kProvisioned).ok());
  StartRuntime();
  ASSERT_TRUE(runtime_->CreateMapping(Mapping("orders")).ok());
  Put("orders", 50, "a");
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 50; }));
  runtime_.reset();
  CloseEngines();
  OpenEngines();

  function_ = std::make_shared<RecordingFunction>();
  Put("orders", 30, "b");  // written while no runtime runs
  StartRuntime();
  ASSERT_TRUE(runtime_->CreateMapping(Mapping("orders")).ok());
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 30; }));
  std::lock_guard lock(function_->mu_);
  EXPECT_EQ(function_->ProcessedCount(), 30u);
  for (const auto& [s, data] : function_->processed_) {
    for (const auto& d : data) EXPECT_EQ(d[0], 'b') << d;
  }
}

TEST_F(RuntimeTest, LatestSkipsOlderRecordsButNotThoseWrittenWhileStopped) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  Put("orders", 5, "old");
  // LATEST has millisecond resolution: let the clock pass the old records.
  int64_t written = common::SystemClock::Default()->NowMillis();
  while (common::SystemClock::Default()->NowMillis() <= written) std::this_thread::yield();
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.starting_position = StartingPosition::kLatest;
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  // Give the mapping a distinct creation time, then restart before anything new arrives.
  ASSERT_TRUE(Eventually([&] { return runtime_->GetMapping("mapping-1").value().shards.size() == 1; }));
  runtime_.reset();
  Put("orders", 5, "new");
  StartRuntime();
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 5; }));
  std::lock_guard lock(function_->mu_);
  EXPECT_EQ(function_->ProcessedCount(), 5u);
  for (const auto& [s, data] : function_->processed_) {
    for (const auto& d : data) EXPECT_EQ(d.substr(0, 3), "new");
  }
}

TEST_F(RuntimeTest, ParentShardIsFinishedBeforeItsChildren) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  Put("orders", 300, "p", [](int) { return "same-key"; });
  auto parent = streams_->DescribeStream("orders").value().shards[0];
  ASSERT_TRUE(streams_->UpdateShardCount("orders", 2).ok());
  Put("orders", 300, "c", [](int) { return "same-key"; });
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.batch_size = 50;
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 600; }));
  std::lock_guard lock(function_->mu_);
  // In invocation order, every parent record comes before any child record.
  std::vector<std::string> order;
  for (const auto& b : function_->batches_) for (const auto& r : b.records) order.push_back(r.data);
  ASSERT_EQ(order.size(), 600u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(order[i], "p" + std::to_string(i));
  for (int i = 0; i < 300; ++i) EXPECT_EQ(order[300 + i], "c" + std::to_string(i));
  EXPECT_EQ(function_->processed_[parent.shard_id].size(), 300u);
}

TEST_F(RuntimeTest, DisabledMappingInvokesNothingUntilEnabled) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.enabled = false;
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  Put("orders", 10, "r");
  EXPECT_EQ(runtime_->GetMapping("mapping-1").value().state, "Disabled");
  EXPECT_TRUE(runtime_->GetMapping("mapping-1").value().shards.empty());
  mapping.enabled = true;
  ASSERT_TRUE(runtime_->UpdateMapping("mapping-1", mapping).ok());
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 10; }));
}

TEST_F(RuntimeTest, DeniedReadsStopTheMappingUntilAllowedAndSkipNothing) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  StartRuntime();
  // Owned by the check too: the runtime's shard threads go on calling it
  // until TearDown stops them, after this body's locals are gone.
  struct Checks {
    std::atomic<bool> deny{false};
    std::mutex asked_mu;
    std::set<std::string> asked;
  };
  auto checks = std::make_shared<Checks>();
  std::atomic<bool>& deny = checks->deny;
  std::mutex& asked_mu = checks->asked_mu;
  std::set<std::string>& asked = checks->asked;
  runtime_->SetSourceReadCheck("recorder", [checks](std::string_view action, const std::string& stream) {
    {
      std::lock_guard lock(checks->asked_mu);
      checks->asked.insert(std::string(action) + " " + stream);
    }
    if (checks->deny && action == "kinesis:GetRecords") {
      return common::Status::PermissionDenied("not authorized to read");
    }
    return common::Status::OK();
  });
  ASSERT_TRUE(runtime_->CreateMapping(Mapping("orders")).ok());
  Put("orders", 5, "a");
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 5; }));
  // Counted once the invocation has returned.
  EXPECT_TRUE(Eventually([&] { return runtime_->GetMapping("mapping-1").value().last_processing_result == "OK"; }));

  deny = true;
  Put("orders", 5, "b");
  std::string why = "PROBLEM: Function execution role does not have permissions to read the stream: "
                    "not authorized to read";
  ASSERT_TRUE(Eventually([&] { return runtime_->GetMapping("mapping-1").value().last_processing_result == why; }));
  EXPECT_EQ(runtime_->GetMapping("mapping-1").value().shards.at(0).problem, why.substr(9));
  {
    std::lock_guard lock(function_->mu_);
    EXPECT_EQ(function_->ProcessedCount(), 5u);
  }

  deny = false;  // resumes from where the denied read stopped
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 10; }));
  {
    std::lock_guard lock(function_->mu_);
    std::vector<std::string> expected{"a0", "a1", "a2", "a3", "a4", "b0", "b1", "b2", "b3", "b4"};
    EXPECT_EQ(function_->processed_.begin()->second, expected);
  }
  EXPECT_TRUE(Eventually([&] { return runtime_->GetMapping("mapping-1").value().last_processing_result == "OK"; }));
  std::lock_guard lock(asked_mu);
  EXPECT_TRUE(asked.count("kinesis:DescribeStream orders"));
  EXPECT_TRUE(asked.count("kinesis:GetShardIterator orders"));
  EXPECT_TRUE(asked.count("kinesis:GetRecords orders"));
}

TEST_F(RuntimeTest, BadMappingsAreRejectedWithAReason) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  StartRuntime();
  auto unknown_fn = Mapping("orders");
  unknown_fn.function_name = "nope";
  EXPECT_TRUE(runtime_->CreateMapping(unknown_fn).status().IsNotFound());
  EXPECT_TRUE(runtime_->CreateMapping(Mapping("no-such-stream")).status().IsNotFound());
  auto big = Mapping("orders");
  big.batch_size = 0;
  EXPECT_TRUE(runtime_->CreateMapping(big).status().IsInvalidArgument());
  ASSERT_TRUE(runtime_->CreateMapping(Mapping("orders")).ok());
  EXPECT_EQ(runtime_->CreateMapping(Mapping("orders")).status().code(), common::Status::Code::kAlreadyExists);
}

}  // namespace
}  // namespace functions

namespace functions {
namespace {

TEST_F(RuntimeTest, TumblingWindowCarriesStateAndEndsWithAFinalInvocation) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  std::mutex mu;
  std::map<int64_t, int> final_sums;     // window start -> state at its final invocation
  std::map<int64_t, int> expected_sums;  // window start -> sum of its records' values
  function_->behaviour_ = [&](const Batch& batch, const InvocationContext& context) {
    EXPECT_TRUE(context.window.has_value());
    int sum = context.window->state.empty() ? 0 : std::stoi(context.window->state);
    std::lock_guard lock(mu);
    for (const auto& r : batch.records) {
      EXPECT_GE(r.arrival_millis, context.window->start_millis);
      EXPECT_LT(r.arrival_millis, context.window->end_millis);
      sum += std::stoi(r.data);
      expected_sums[context.window->start_millis] += std::stoi(r.data);
    }
    if (context.window->is_final) final_sums[context.window->start_millis] = sum;
    return InvocationResult::WithState(std::to_string(sum));
  };
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.tumbling_window_seconds = 1;
  mapping.batch_size = 3;  // several invocations per window
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  for (int i = 1; i <= 20; ++i) ASSERT_TRUE(streams_->PutRecord("orders", {"k", std::nullopt, std::to_string(i)}).ok());
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    int total = 0;
    for (const auto& [start, sum] : final_sums) total += sum;
    return total == 210;
  }));
  std::lock_guard lock(mu);
  EXPECT_EQ(final_sums, expected_sums);
}

TEST_F(RuntimeTest, BadTumblingWindowIsRejected) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.tumbling_window_seconds = 901;
  EXPECT_TRUE(runtime_->CreateMapping(mapping).status().IsInvalidArgument());
}

}  // namespace
}  // namespace functions

namespace functions {
namespace {

TEST_F(RuntimeTest, InMemoryConsumerLeavesNoCheckpointsAndRereadsOnRestart) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  Put("orders", 10, "r");
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.persist_checkpoints = false;
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 10; }));
  std::string shard = streams_->DescribeStream("orders").value().shards[0].shard_id;
  EXPECT_FALSE(checkpoints_->Load("mapping-1", shard).value().has_value());
  EXPECT_FALSE(checkpoints_->Load("mapping-1", "~mapping-start").value().has_value());

  runtime_.reset();
  function_ = std::make_shared<RecordingFunction>();
  StartRuntime();
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 10; }));  // all again
}

}  // namespace
}  // namespace functions

namespace functions {
namespace {

// Data "<key>:<n>" with n growing per key; true when each key's numbers grow.
bool PerKeyOrderHolds(const std::vector<std::string>& data, std::string* why) {
  std::map<std::string, int> last;
  for (const auto& d : data) {
    auto colon = d.find(':');
    std::string key = d.substr(0, colon);
    int n = std::stoi(d.substr(colon + 1));
    auto it = last.find(key);
    if (it != last.end() && n <= it->second) {
      *why = d + " came after " + key + ":" + std::to_string(it->second);
      return false;
    }
    last[key] = n;
  }
  return true;
}

TEST_F(RuntimeTest, ParallelizationFactorRunsBatchesOfOneShardConcurrentlyInKeyOrder) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  std::map<std::string, int> next;  // key -> next n
  auto keyed = [&](int i) { return "k" + std::to_string(i % 16); };
  std::vector<stream::PutEntry> entries;
  auto put = [&](int count) {
    for (int i = 0; i < count; ++i) {
      std::string key = keyed(i);
      std::vector<stream::PutEntry> one{{key, std::nullopt, key + ":" + std::to_string(next[key]++)}};
      std::promise<void> done;
      streams_->PutRecords("orders", std::move(one), [&](auto r) {
        EXPECT_TRUE(r.ok());
        done.set_value();
      });
      done.get_future().wait();
    }
  };
  put(200);
  ASSERT_TRUE(streams_->UpdateShardCount("orders", 2).ok());  // the rest goes to the children
  put(200);

  // The first invocations wait (up to 10 s) until two are in flight at once.
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0, most = 0;
  function_->behaviour_ = [&](const Batch&, const InvocationContext&) {
    std::unique_lock lock(mu);
    most = std::max(most, ++in_flight);
    cv.notify_all();
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return most >= 2; });
    --in_flight;
    return InvocationResult::Success();
  };
  StartRuntime(RuntimeOptions{4, 1000});
  auto mapping = Mapping("orders");
  mapping.batch_size = 5;
  mapping.parallelization_factor = 4;
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 400; }));
  {
    std::lock_guard lock(mu);
    EXPECT_GE(most, 2);
  }
  std::lock_guard lock(function_->mu_);
  EXPECT_EQ(function_->ProcessedCount(), 400u);
  std::vector<std::string> order;  // in invocation order across all shards
  for (const auto& b : function_->batches_) {
    for (const auto& r : b.records) order.push_back(r.data);
  }
  std::string why;
  EXPECT_TRUE(PerKeyOrderHolds(order, &why)) << why;
}

TEST_F(RuntimeTest, ParallelCheckpointStopsBeforeTheLowestUnfinishedRecord) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  // One key fails until the restart; the others go on in their own lanes.
  auto puts = Put("orders", 300, "r", [](int i) { return i == 100 ? std::string("stuck") : "k" + std::to_string(i % 7); });
  function_->behaviour_ = [](const Batch& batch, const InvocationContext&) {
    for (const auto& r : batch.records) {
      if (r.partition_key == "stuck") return InvocationResult::Failure("stuck");
    }
    return InvocationResult::Success();
  };
  StartRuntime(RuntimeOptions{3, 1000});
  auto mapping = Mapping("orders");
  mapping.batch_size = 1;  // so the failing batch holds only the stuck record
  mapping.parallelization_factor = 3;
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  // Records 0..99 are done in every lane; later ones only in the lanes without "stuck".
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 100; }));
  ASSERT_TRUE(Eventually([&] {
    return runtime_->GetMapping("mapping-1").value().shards.at(0).checkpoint == puts[99].sequence_number;
  })) << runtime_->GetMapping("mapping-1").value().shards.at(0).checkpoint;
  runtime_.reset();

  function_ = std::make_shared<RecordingFunction>();
  StartRuntime(RuntimeOptions{3, 1000});
  ASSERT_TRUE(runtime_->CreateMapping(mapping).ok());
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 200; }));
  ASSERT_TRUE(Eventually([&] {
    return runtime_->GetMapping("mapping-1").value().shards.at(0).checkpoint == puts.back().sequence_number;
  }));
  std::lock_guard lock(function_->mu_);
  // Exactly the records from the stuck one on are delivered again; none before it.
  std::set<std::string> again;
  for (const auto& [shard, data] : function_->processed_) again.insert(data.begin(), data.end());
  EXPECT_EQ(again.size(), 200u);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(again.count("r" + std::to_string(i))) << i;
  for (int i = 100; i < 300; ++i) EXPECT_TRUE(again.count("r" + std::to_string(i))) << i;
}

TEST_F(RuntimeTest, ParallelizationFactorOutOfRangeOrWithWindowsIsRejected) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  StartRuntime();
  auto mapping = Mapping("orders");
  mapping.parallelization_factor = 11;
  auto r = runtime_->CreateMapping(mapping);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ParallelizationFactor is 11"), std::string::npos) << r.status().ToString();
  mapping.parallelization_factor = 2;
  mapping.tumbling_window_seconds = 5;
  EXPECT_FALSE(runtime_->CreateMapping(mapping).ok());
}

}  // namespace
}  // namespace functions

namespace functions {
namespace {

TEST_F(RuntimeTest, LayeredStoreResumesFromTheFallbackAndSavesToThePrimary) {
  ASSERT_TRUE(streams_->CreateStream("orders", 1, stream::StreamMode::kProvisioned).ok());
  StartRuntime();
  ASSERT_TRUE(runtime_->CreateMapping(Mapping("orders")).ok());
  Put("orders", 20, "a");
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 20; }));
  runtime_.reset();

  // Checkpoints move to a new table; the old one is still read.
  auto primary = TableCheckpointStore::Open(tables_.get(), "new-checkpoints").value();
  LayeredCheckpointStore layered(primary.get(), checkpoints_.get());
  function_ = std::make_shared<RecordingFunction>();
  Put("orders", 10, "b");
  runtime_ = std::make_unique<FunctionRuntime>(streams_.get(), &layered);
  ASSERT_TRUE(runtime_->RegisterFunction("recorder", function_).ok());
  ASSERT_TRUE(runtime_->CreateMapping(Mapping("orders")).ok());
  ASSERT_TRUE(function_->WaitUntil([&] { return function_->ProcessedCount() >= 10; }));
  std::string shard = streams_->DescribeStream("orders").value().shards[0].shard_id;
  ASSERT_TRUE(Eventually([&] {
    auto saved = primary->Load("mapping-1", shard).value();
    return saved && saved->sequence_number == runtime_->GetMapping("mapping-1").value().shards.at(0).checkpoint;
  }));
  runtime_.reset();
  std::lock_guard lock(function_->mu_);
  EXPECT_EQ(function_->ProcessedCount(), 10u);
}

}  // namespace
}  // namespace functions
