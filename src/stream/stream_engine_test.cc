#include "stream/stream_engine.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "stream/hash_key.h"

namespace stream {
namespace {

namespace fs = std::filesystem;

class StreamEngineTest : public ::testing::Test {
 protected:
  StreamEngineTest() {
    dir_ = fs::temp_directory_path() / ("rivulet-stream-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    options_.data_dir = dir_.string();
    options_.clock = &clock_;
    options_.start_retention_thread = false;
    options_.commit_threads = 2;
  }
  ~StreamEngineTest() override {
    engine_.reset();
    fs::remove_all(dir_);
  }

  void Open() {
    engine_.reset();
    auto engine = StreamEngine::Open(options_);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
  }

  void Create(const std::string& name, int shards) {
    ASSERT_TRUE(engine_->CreateStream(name, shards, StreamMode::kProvisioned).ok());
  }

  Result<std::vector<Result<PutResult>>> PutBatch(const std::string& stream, std::vector<PutEntry> entries) {
    std::promise<Result<std::vector<Result<PutResult>>>> p;
    engine_->PutRecords(stream, std::move(entries), [&](auto r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  PutResult Put(const std::string& stream, const std::string& pk, const std::string& data,
                std::optional<std::string> ehk = std::nullopt) {
    auto r = engine_->PutRecord(stream, PutEntry{pk, ehk, data});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PutResult{};
  }

  std::string Iterator(const std::string& stream, const std::string& shard, IteratorType type,
                       const std::string& seq = "", int64_t ts = 0) {
    auto it = engine_->GetShardIterator({stream, shard, type, seq, ts});
    EXPECT_TRUE(it.ok()) << it.status().ToString();
    return it.ok() ? *it : "";
  }

  // Follows the iterator until it returns no records or ends the shard.
  std::vector<Record> Drain(std::string iterator, GetRecordsResult* last = nullptr) {
    std::vector<Record> all;
    while (!iterator.empty()) {
      auto r = engine_->GetRecords(iterator, 3);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) break;
      for (auto& rec : r->records) all.push_back(rec);
      iterator = r->next_shard_iterator;
      if (last) *last = *r;
      if (r->records.empty()) break;
    }
    return all;
  }

  std::vector<std::string> Data(const std::vector<Record>& records) {
    std::vector<std::string> out;
    for (auto& r : records) out.push_back(r.data);
    return out;
  }

  fs::path dir_;
  common::ManualClock clock_;
  StreamEngineOptions options_;
  std::unique_ptr<StreamEngine> engine_;
};

TEST_F(StreamEngineTest, CreateDescribeListAndDeleteStreams) {
  Open();
  Create("orders", 3);
  EXPECT_EQ(engine_->CreateStream("orders", 1, StreamMode::kProvisioned).code(), Status::Code::kResourceInUse);
  EXPECT_TRUE(engine_->CreateStream("bad name!", 1, StreamMode::kProvisioned).IsInvalidArgument());
  EXPECT_TRUE(engine_->CreateStream("x", 0, StreamMode::kProvisioned).IsInvalidArgument());
  ASSERT_TRUE(engine_->CreateStream("od", 0, StreamMode::kOnDemand).ok());
  auto d = engine_->DescribeStream(StreamEngine::StreamArn("orders"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->stream_name, "orders");
  EXPECT_EQ(d->stream_arn, "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
  ASSERT_EQ(d->shards.size(), 3u);
  EXPECT_EQ(d->shards[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(d->shards[0].hash_key_range.starting_hash_key, "0");
  EXPECT_EQ(d->shards[2].hash_key_range.ending_hash_key, FormatHashKey(kMaxHashKey));
  EXPECT_EQ(engine_->DescribeStream("od")->shards.size(), 4u);
  EXPECT_EQ(*engine_->ListStreams(), (std::vector<std::string>{"od", "orders"}));
  EXPECT_EQ(engine_->DescribeLimits().open_shard_count, 7);
  ASSERT_TRUE(engine_->DeleteStream("orders").ok());
  EXPECT_TRUE(engine_->DescribeStream("orders").status().IsNotFound());
  EXPECT_TRUE(engine_->DeleteStream("orders").IsNotFound());
}

TEST_F(StreamEngineTest, ShardLimitIsLimitExceeded) {
  options_.shard_limit = 4;
  Open();
  Create("a", 3);
  EXPECT_EQ(engine_->CreateStream("b", 2, StreamMode::kProvisioned).code(), Status::Code::kLimitExceeded);
}

TEST_F(StreamEngineTest, RecordsReadBackInOrderFromTrimHorizon) {
  Open();
  Create("s", 1);
  std::vector<std::string> seqs;
  for (int i = 0; i < 10; ++i) seqs.push_back(Put("s", "pk", "r" + std::to_string(i)).sequence_number);
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_LT(seqs[i - 1], seqs[i]);
  auto records = Drain(Iterator("s", "shardId-000000000000", IteratorType::kTrimHorizon));
  ASSERT_EQ(records.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(records[i].data, "r" + std::to_string(i));
    EXPECT_EQ(records[i].partition_key, "pk");
    EXPECT_EQ(records[i].sequence_number, seqs[i]);
    EXPECT_EQ(records[i].arrival_millis, clock_.NowMillis());
  }
}

TEST_F(StreamEngineTest, SequenceNumbersStayUniqueAndIncreasingAcrossRestarts) {
  Open();
  Create("s", 2);
  std::map<std::string, std::vector<std::string>> by_shard;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 20; ++i) {
      PutResult r = Put("s", "k" + std::to_string(i), "x");
      by_shard[r.shard_id].push_back(r.sequence_number);
    }
    Open();
  }
  std::set<std::string> all;
  for (auto& [shard, seqs] : by_shard) {
    for (size_t i = 1; i < seqs.size(); ++i) EXPECT_LT(seqs[i - 1], seqs[i]);
    all.insert(seqs.begin(), seqs.end());
    auto records = Drain(Iterator("s", shard, IteratorType::kTrimHorizon));
    EXPECT_EQ(records.size(), seqs.size());
  }
  EXPECT_EQ(all.size(), 60u);
}

TEST_F(StreamEngineTest, EveryIteratorTypeStartsWhereKinesisDoes) {
  Open();
  Create("s", 1);
  const std::string shard = "shardId-000000000000";
  std::vector<PutResult> puts;
  for (int i = 0; i < 5; ++i) {
    puts.push_back(Put("s", "pk", "r" + std::to_string(i)));
    clock_.AdvanceMillis(1000);
  }
  std::string latest = Iterator("s", shard, IteratorType::kLatest);
  Put("s", "pk", "after-latest");
  EXPECT_EQ(Data(Drain(latest)), (std::vector<std::string>{"after-latest"}));
  EXPECT_EQ(Data(Drain(Iterator("s", shard, IteratorType::kAtSequenceNumber, puts[2].sequence_number))),
            (std::vector<std::string>{"r2", "r3", "r4", "after-latest"}));
  EXPECT_EQ(Data(Drain(Iterator("s", shard, IteratorType::kAfterSequenceNumber, puts[2].sequence_number))),
            (std::vector<std::string>{"r3", "r4", "after-latest"}));
  int64_t t0 = clock_.NowMillis() - 5000;  // r0 arrived at t0, r1 at t0 + 1000, ...
  EXPECT_EQ(Data(Drain(Iterator("s", shard, IteratorType::kAtTimestamp, "", t0 + 3000))),
            (std::vector<std::string>{"r3", "r4", "after-latest"}));
  EXPECT_EQ(Data(Drain(Iterator("s", shard, IteratorType::kAtTimestamp, "", t0 + 2500))),
            (std::vector<std::string>{"r3", "r4", "after-latest"}));
  EXPECT_TRUE(Drain(Iterator("s", shard, IteratorType::kAtTimestamp, "", clock_.NowMillis() + 1)).empty());
  EXPECT_EQ(Drain(Iterator("s", shard, IteratorType::kTrimHorizon)).size(), 6u);
}

TEST_F(StreamEngineTest, BadIteratorRequestsAreRejected) {
  Open();
  Create("s", 2);
  std::string seq_on_0 = Put("s", "pk", "x", "0").sequence_number;
  EXPECT_TRUE(engine_->GetShardIterator({"s", "shardId-000000000007", IteratorType::kLatest, "", 0})
                  .status().IsNotFound());
  EXPECT_TRUE(engine_->GetShardIterator({"nope", "shardId-000000000000", IteratorType::kLatest, "", 0})
                  .status().IsNotFound());
  EXPECT_TRUE(engine_->GetShardIterator({"s", "shardId-000000000001", IteratorType::kAtSequenceNumber, seq_on_0, 0})
                  .status().IsInvalidArgument());
  EXPECT_TRUE(engine_->GetShardIterator({"s", "shardId-000000000000", IteratorType::kAtSequenceNumber, "12x", 0})
                  .status().IsInvalidArgument());
}

TEST_F(StreamEngineTest, IteratorsExpireAfterFiveMinutes) {
  Open();
  Create("s", 1);
  std::string it = Iterator("s", "shardId-000000000000", IteratorType::kTrimHorizon);
  clock_.AdvanceMillis(300'000);
  EXPECT_TRUE(engine_->GetRecords(it, 10).ok());
  clock_.AdvanceMillis(1);
  EXPECT_EQ(engine_->GetRecords(it, 10).status().code(), Status::Code::kExpired);
}

TEST_F(StreamEngineTest, ForgedOrStaleIteratorsAreRejected) {
  Open();
  Create("s", 1);
  std::string it = Iterator("s", "shardId-000000000000", IteratorType::kTrimHorizon);
  std::string forged = it;
  forged[5] = forged[5] == 'Q' ? 'R' : 'Q';
  EXPECT_TRUE(engine_->GetRecords(forged, 10).status().IsInvalidArgument());
  EXPECT_TRUE(engine_->GetRecords("AAAA", 10).status().IsInvalidArgument());
  EXPECT_TRUE(engine_->GetRecords(it, 0).status().IsInvalidArgument());
  EXPECT_TRUE(engine_->GetRecords(it, 10001).status().IsInvalidArgument());
  Open();  // iterators survive a restart (the key is kept in the data folder)
  EXPECT_TRUE(engine_->GetRecords(it, 10).ok());
  ASSERT_TRUE(engine_->DeleteStream("s").ok());
  Create("s", 1);  // same name, new stream: the old iterator must not read it
  EXPECT_TRUE(engine_->GetRecords(it, 10).status().IsNotFound());
}

TEST_F(StreamEngineTest, RecordsRouteByMd5OrExplicitHashKey) {
  Open();
  Create("s", 2);
  // md5("a") starts with 0x0c: lower half. md5("b") = 92eb5ffe...: upper half.
  EXPECT_EQ(Put("s", "a", "x").shard_id, "shardId-000000000000");
  EXPECT_EQ(Put("s", "b", "x").shard_id, "shardId-000000000001");
  EXPECT_EQ(Put("s", "a", "x", FormatHashKey(kMaxHashKey)).shard_id, "shardId-000000000001");
  EXPECT_EQ(Put("s", "b", "x", "0").shard_id, "shardId-000000000000");
  EXPECT_EQ(Put("s", "b", "x", FormatHashKey(RangeEnd(0, 2))).shard_id, "shardId-000000000000");
  EXPECT_EQ(Put("s", "b", "x", FormatHashKey(RangeStart(1, 2))).shard_id, "shardId-000000000001");
}

TEST_F(StreamEngineTest, InvalidPutsFailTheWholeCallAndStoreNothing) {
  Open();
  Create("s", 1);
  auto code = [&](std::vector<PutEntry> e) { return PutBatch("s", std::move(e)).status().code(); };
  EXPECT_EQ(code({}), Status::Code::kInvalidArgument);
  EXPECT_EQ(code({{"", std::nullopt, "x"}}), Status::Code::kInvalidArgument);
  EXPECT_EQ(code({{"ok", std::nullopt, "x"}, {std::string(257, 'k'), std::nullopt, "x"}}),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(code({{"k", std::nullopt, std::string((1 << 20) + 1, 'd')}}), Status::Code::kInvalidArgument);
  EXPECT_EQ(code({{"k", std::string("340282366920938463463374607431768211456"), "x"}}),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(code(std::vector<PutEntry>(501, PutEntry{"k", std::nullopt, "x"})), Status::Code::kInvalidArgument);
  EXPECT_EQ(code(std::vector<PutEntry>(6, PutEntry{"k", std::nullopt, std::string(1 << 20, 'd')})),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(PutBatch("nope", {{"k", std::nullopt, "x"}}).status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(Drain(Iterator("s", "shardId-000000000000", IteratorType::kTrimHorizon)).empty());
  auto ok = PutBatch("s", std::vector<PutEntry>(500, PutEntry{"k", std::nullopt, "x"}));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 500u);
}

TEST_F(StreamEngineTest, SplitClosesTheParentAndReadingContinuesInTheChildren) {
  Open();
  Create("s", 1);
  Put("s", "k", "before-1");
  Put("s", "k", "before-2");
  const std::string parent = "shardId-000000000000";
  std::string mid = FormatHashKey(RangeStart(1, 2));
  EXPECT_TRUE(engine_->SplitShard("s", parent, "0").IsInvalidArgument());
  ASSERT_TRUE(engine_->SplitShard("s", parent, mid).ok());
  EXPECT_EQ(engine_->SplitShard("s", parent, mid).code(), Status::Code::kResourceInUse);
  EXPECT_EQ(Put("s", "a", "after-low").shard_id, "shardId-000000000001");
  EXPECT_EQ(Put("s", "b", "after-high").shard_id, "shardId-000000000002");

  GetRecordsResult last;
  EXPECT_EQ(Data(Drain(Iterator("s", parent, IteratorType::kTrimHorizon), &last)),
            (std::vector<std::string>{"before-1", "before-2"}));
  EXPECT_EQ(last.next_shard_iterator, "");
  ASSERT_EQ(last.child_shards.size(), 2u);
  EXPECT_EQ(last.child_shards[0].shard_id, "shardId-000000000001");
  EXPECT_EQ(last.child_shards[0].parent_shards, (std::vector<std::string>{parent}));
  EXPECT_EQ(Data(Drain(Iterator("s", "shardId-000000000001", IteratorType::kTrimHorizon))),
            (std::vector<std::string>{"after-low"}));

  auto d = engine_->DescribeStream("s");
  ASSERT_EQ(d->shards.size(), 3u);
  EXPECT_EQ(d->open_shard_count, 2);
  EXPECT_NE(d->shards[0].ending_sequence_number, "");
  EXPECT_EQ(d->shards[2].parent_shard_id, parent);
  EXPECT_EQ(d->shards[2].hash_key_range.starting_hash_key, mid);
  EXPECT_EQ(engine_->ListShards("s", {ShardFilterType::kAtLatest, "", 0})->size(), 2u);
  EXPECT_EQ(engine_->ListShards("s", {ShardFilterType::kAfterShardId, parent, 0})->size(), 2u);
  EXPECT_EQ(engine_->ListShards("s", {}, "shardId-000000000001")->size(), 1u);
  Open();  // lineage and closed state persist
  d = engine_->DescribeStream("s");
  EXPECT_EQ(d->open_shard_count, 2);
  EXPECT_EQ(d->shards[1].parent_shard_id, parent);
  EXPECT_EQ(Put("s", "a", "x").shard_id, "shardId-000000000001");
}

TEST_F(StreamEngineTest, MergeJoinsAdjacentShardsAndNamesBothParents) {
  Open();
  Create("s", 3);
  EXPECT_TRUE(engine_->MergeShards("s", "shardId-000000000000", "shardId-000000000002").IsInvalidArgument());
  Put("s", "k", "old", "0");
  ASSERT_TRUE(engine_->MergeShards("s", "shardId-000000000001", "shardId-000000000000").ok());
  EXPECT_EQ(Put("s", "k", "new", "0").shard_id, "shardId-000000000003");
  auto d = engine_->DescribeStream("s");
  ASSERT_EQ(d->shards.size(), 4u);
  EXPECT_EQ(d->shards[3].parent_shard_id, "shardId-000000000001");
  EXPECT_EQ(d->shards[3].adjacent_parent_shard_id, "shardId-000000000000");
  EXPECT_EQ(d->shards[3].hash_key_range.starting_hash_key, "0");
  EXPECT_EQ(d->shards[3].hash_key_range.ending_hash_key, FormatHashKey(RangeEnd(1, 3)));
  GetRecordsResult last;
  EXPECT_EQ(Data(Drain(Iterator("s", "shardId-000000000000", IteratorType::kTrimHorizon), &last)),
            (std::vector<std::string>{"old"}));
  ASSERT_EQ(last.child_shards.size(), 1u);
  EXPECT_EQ(last.child_shards[0].parent_shards.size(), 2u);
}

TEST_F(StreamEngineTest, UpdateShardCountReplacesOpenShardsUniformly) {
  Open();
  Create("s", 2);
  EXPECT_TRUE(engine_->UpdateShardCount("s", 5).status().IsInvalidArgument());
  auto r = engine_->UpdateShardCount("s", 4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->current_shard_count, 2);
  auto open = engine_->ListShards("s", {ShardFilterType::kAtLatest, "", 0});
  ASSERT_EQ(open->size(), 4u);
  EXPECT_EQ((*open)[0].parent_shard_id, "shardId-000000000000");
  EXPECT_EQ((*open)[3].parent_shard_id, "shardId-000000000001");
  EXPECT_EQ((*open)[3].hash_key_range.ending_hash_key, FormatHashKey(kMaxHashKey));
}

TEST_F(StreamEngineTest, RetentionDeletesOldSegmentsAndForgetsExpiredClosedShards) {
  options_.segment_bytes = 256;
  Open();
  Create("s", 1);
  for (int i = 0; i < 20; ++i) Put("s", "k", "old-" + std::to_string(i));
  ASSERT_TRUE(engine_->SplitShard("s", "shardId-000000000000", "1").ok());
  clock_.AdvanceMillis(23 * 3'600'000);
  Put("s", "k", "new", "0");
  ASSERT_TRUE(engine_->EnforceRetention().ok());
  EXPECT_EQ(engine_->DescribeStream("s")->shards.size(), 3u);  // not yet 24 h
  clock_.AdvanceMillis(2 * 3'600'000);
  ASSERT_TRUE(engine_->EnforceRetention().ok());
  auto d = engine_->DescribeStream("s");
  ASSERT_EQ(d->shards.size(), 2u);
  EXPECT_EQ(d->shards[0].shard_id, "shardId-000000000001");
  EXPECT_FALSE(fs::exists(dir_ / "streams" / "s1-s" / "shardId-000000000000"));
  EXPECT_EQ(Data(Drain(Iterator("s", "shardId-000000000001", IteratorType::kTrimHorizon))),
            (std::vector<std::string>{"new"}));
  ASSERT_TRUE(engine_->IncreaseStreamRetentionPeriod("s", 48).ok());
  EXPECT_TRUE(engine_->DecreaseStreamRetentionPeriod("s", 72).IsInvalidArgument());
  EXPECT_TRUE(engine_->IncreaseStreamRetentionPeriod("s", 8761).IsInvalidArgument());
  clock_.AdvanceMillis(20 * 3'600'000);  // "new" is 21 h old: kept under 48 h
  ASSERT_TRUE(engine_->EnforceRetention().ok());
  EXPECT_EQ(Drain(Iterator("s", "shardId-000000000001", IteratorType::kTrimHorizon)).size(), 1u);
}

TEST_F(StreamEngineTest, ExpiredRecordsAreNotReturnedEvenBeforeTheirSegmentIsDeleted) {
  Open();
  Create("s", 1);
  Put("s", "k", "old");
  clock_.AdvanceMillis(25 * 3'600'000);
  Put("s", "k", "new");
  EXPECT_EQ(Data(Drain(Iterator("s", "shardId-000000000000", IteratorType::kTrimHorizon))),
            (std::vector<std::string>{"new"}));
}

TEST_F(StreamEngineTest, TagsAreAddedRemovedAndPersisted) {
  Open();
  Create("s", 1);
  ASSERT_TRUE(engine_->AddTagsToStream("s", {{"team", "shop"}, {"env", "dev"}}).ok());
  ASSERT_TRUE(engine_->RemoveTagsFromStream("s", {"env"}).ok());
  std::map<std::string, std::string> many;
  for (int i = 0; i < 50; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_EQ(engine_->AddTagsToStream("s", many).code(), Status::Code::kLimitExceeded);
  Open();
  EXPECT_EQ(*engine_->ListTagsForStream("s"), (std::map<std::string, std::string>{{"team", "shop"}}));
}

TEST_F(StreamEngineTest, WriteLimitsThrottleEntriesNotCalls) {
  options_.shard_write_limits = true;
  Open();
  Create("s", 1);
  int throttled = 0, accepted = 0;
  for (int call = 0; call < 3; ++call) {
    auto r = PutBatch("s", std::vector<PutEntry>(500, PutEntry{"k", std::nullopt, "x"}));
    ASSERT_TRUE(r.ok());
    for (auto& e : *r) {
      if (e.ok()) ++accepted;
      else if (e.status().code() == Status::Code::kThrottled) ++throttled;
    }
  }
  EXPECT_EQ(accepted, 1000);
  EXPECT_EQ(throttled, 500);
  clock_.AdvanceMillis(1000);
  EXPECT_TRUE(PutBatch("s", {{"k", std::nullopt, "x"}})->front().ok());
}

TEST_F(StreamEngineTest, SubscribersHearOfEachDurableBatch) {
  Open();
  Create("s", 2);
  std::atomic<int> calls{0};
  std::mutex mu;
  std::set<std::string> shards;
  {
    auto sub = engine_->Subscribe("s", [&](const std::string& shard) {
      std::lock_guard lock(mu);
      shards.insert(shard);
      ++calls;
    });
    ASSERT_TRUE(sub.ok());
    Put("s", "a", "x");
    Put("s", "b", "x");
    EXPECT_EQ(shards, (std::set<std::string>{"shardId-000000000000", "shardId-000000000001"}));
  }
  int before = calls.load();
  Put("s", "a", "x");
  EXPECT_EQ(calls.load(), before);  // unsubscribed
}

TEST_F(StreamEngineTest, ConcurrentPutsAreAllAcknowledgedAndPresentAfterReopen) {
  Open();
  Create("s", 2);
  constexpr int kThreads = 8, kPerThread = 100;
  std::atomic<int> acked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = engine_->PutRecord("s", {"p" + std::to_string(t), std::nullopt, std::to_string(i)});
        if (r.ok()) ++acked;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(acked.load(), kThreads * kPerThread);
  Open();
  size_t total = 0;
  for (const char* shard : {"shardId-000000000000", "shardId-000000000001"}) {
    std::map<std::string, int> next;
    auto it = Iterator("s", shard, IteratorType::kTrimHorizon);
    auto r = engine_->GetRecords(it, 10000);
    ASSERT_TRUE(r.ok());
    for (auto& rec : r->records) EXPECT_EQ(std::stoi(rec.data), next[rec.partition_key]++);
    total += r->records.size();
  }
  EXPECT_EQ(total, size_t(kThreads * kPerThread));
}

TEST_F(StreamEngineTest, AWaitedPutOverSeveralShardsAnswersEveryEntryInRequestOrder) {
  // PutRecordsAndWait commits the last shard on the caller's thread and the
  // others on their commit threads; the answer is the same as PutRecords'.
  Open();
  Create("s", 2);
  std::vector<PutEntry> entries;
  for (int i = 0; i < 20; ++i) entries.push_back({"k" + std::to_string(i), std::nullopt, std::to_string(i)});
  auto put = engine_->PutRecordsAndWait("s", entries);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  ASSERT_EQ(put->size(), entries.size());
  std::set<std::string> shards;
  for (size_t i = 0; i < entries.size(); ++i) {
    ASSERT_TRUE((*put)[i].ok()) << (*put)[i].status().ToString();
    shards.insert((*put)[i]->shard_id);
    auto one = engine_->GetShardIterator({"s", (*put)[i]->shard_id, IteratorType::kAtSequenceNumber,
                                          (*put)[i]->sequence_number, 0});
    ASSERT_TRUE(one.ok()) << one.status().ToString();
    auto read = engine_->GetRecords(*one, 1);
    ASSERT_TRUE(read.ok() && read->records.size() == 1);
    EXPECT_EQ(read->records[0].data, entries[i].data);
  }
  EXPECT_EQ(shards.size(), 2u);
  EXPECT_TRUE(engine_->PutRecordsAndWait("nope", entries).status().IsNotFound());
}

TEST_F(StreamEngineTest, MillisBehindLatestIsZeroWhenCaughtUp) {
  Open();
  Create("s", 1);
  for (int i = 0; i < 5; ++i) Put("s", "k", "x");
  clock_.AdvanceMillis(7000);
  auto r = engine_->GetRecords(Iterator("s", "shardId-000000000000", IteratorType::kTrimHorizon), 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->millis_behind_latest, 7000);
  r = engine_->GetRecords(r->next_shard_iterator, 100);
  EXPECT_EQ(r->records.size(), 3u);
  EXPECT_EQ(r->millis_behind_latest, 0);
}

TEST_F(StreamEngineTest, IteratorPositionsStillResolveAfterRestart) {
  options_.segment_bytes = 300;  // several segments, index rebuilt on open
  Open();
  Create("s", 1);
  std::vector<PutResult> puts;
  for (int i = 0; i < 30; ++i) {
    puts.push_back(Put("s", "pk", "r" + std::to_string(i)));
    clock_.AdvanceMillis(100);
  }
  int64_t t0 = clock_.NowMillis() - 3000;
  Open();
  const std::string shard = "shardId-000000000000";
  EXPECT_EQ(Drain(Iterator("s", shard, IteratorType::kAtSequenceNumber, puts[17].sequence_number)).front().data, "r17");
  EXPECT_EQ(Drain(Iterator("s", shard, IteratorType::kAtTimestamp, "", t0 + 2250)).front().data, "r23");
  EXPECT_EQ(Drain(Iterator("s", shard, IteratorType::kTrimHorizon)).size(), 30u);
  Put("s", "pk", "after restart");
  EXPECT_EQ(Drain(Iterator("s", shard, IteratorType::kAfterSequenceNumber, puts[29].sequence_number)).front().data,
            "after restart");
}

TEST_F(StreamEngineTest, ListShardsTimestampFiltersFollowOpenAndCloseTimes) {
  Open();
  Create("s", 1);
  int64_t before_split = clock_.NowMillis();
  clock_.AdvanceMillis(1000);
  ASSERT_TRUE(engine_->SplitShard("s", "shardId-000000000000", "1000").ok());
  clock_.AdvanceMillis(1000);
  auto ids = [&](ShardFilter f) {
    std::vector<std::string> out;
    auto shards = engine_->ListShards("s", f);
    EXPECT_TRUE(shards.ok());
    if (!shards.ok()) return out;
    for (const ShardInfo& info : shards.value()) out.push_back(info.shard_id);
    return out;
  };
  EXPECT_EQ(ids({ShardFilterType::kAtTimestamp, "", before_split}), (std::vector<std::string>{"shardId-000000000000"}));
  EXPECT_EQ(ids({ShardFilterType::kFromTimestamp, "", clock_.NowMillis()}),
            (std::vector<std::string>{"shardId-000000000001", "shardId-000000000002"}));
  EXPECT_EQ(ids({ShardFilterType::kAtTrimHorizon, "", 0}).size(), 3u);
  EXPECT_TRUE(engine_->ListShards("s", {ShardFilterType::kAfterShardId, "", 0}).status().IsInvalidArgument());
  EXPECT_TRUE(engine_->ListShards("nope", {}).status().IsNotFound());
}

TEST_F(StreamEngineTest, IntervalDurabilityAcknowledgesAndKeepsRecords) {
  options_.durability = Durability::kInterval;
  options_.interval_ms = 5;
  Open();
  Create("s", 1);
  for (int i = 0; i < 10; ++i) Put("s", "k", "x");
  Open();
  EXPECT_EQ(Drain(Iterator("s", "shardId-000000000000", IteratorType::kTrimHorizon)).size(), 10u);
  EXPECT_EQ(*ParseDurability("fsync"), Durability::kFsync);
  EXPECT_TRUE(ParseDurability("sometimes").status().IsInvalidArgument());
}

TEST_F(StreamEngineTest, ASecondEngineOnTheSameFolderIsRefused) {
  Open();
  auto second = StreamEngine::Open(options_);
  EXPECT_EQ(second.status().code(), Status::Code::kResourceInUse);
  engine_.reset();
  EXPECT_TRUE(StreamEngine::Open(options_).ok());
}

TEST_F(StreamEngineTest, StreamsAreAddressableByArn) {
  Open();
  Create("s", 1);
  std::string arn = StreamEngine::StreamArn("s");
  EXPECT_EQ(Put(arn, "k", "x").shard_id, "shardId-000000000000");
  EXPECT_EQ(*StreamEngine::ResolveStreamName(arn), "s");
  EXPECT_TRUE(StreamEngine::ResolveStreamName("arn:aws:s3:::bucket").status().IsInvalidArgument());
  EXPECT_TRUE(engine_->ListShards(arn, {}).ok());
}

}  // namespace
}  // namespace stream
