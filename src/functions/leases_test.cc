#include "functions/leases.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "table/table_engine.h"

namespace functions {
namespace {

// Workers that share one table (the embedded engine) and a manual clock.
class LeasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("leases_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    table::TableEngineOptions options;
    options.sync_writes = false;
    options.ttl_interval_millis = 0;
    tables_ = std::move(table::TableEngine::Open(dir_.string(), options).value());
    checkpoints_ = std::move(TableCheckpointStore::Open(tables_.get()).value());
  }
  void TearDown() override {
    workers_.clear();
    checkpoints_.reset();
    tables_.reset();
    std::filesystem::remove_all(dir_);
  }

  LeaseManager* Worker(const std::string& id) {
    LeaseOptions options;
    options.worker_id = id;
    options.failover_ms = 10'000;
    options.clock = &clock_;
    workers_.push_back(std::move(LeaseManager::Open(tables_.get(), options).value()));
    return workers_.back().get();
  }
  // One discovery round of `worker`, releasing what it gives back.
  std::set<std::string> Round(LeaseManager* worker) {
    auto plan = worker->Plan("m", shards_);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    for (const auto& shard : plan->to_release) EXPECT_TRUE(worker->Release("m", shard).ok());
    return plan->held;
  }

  std::filesystem::path dir_;
  common::ManualClock clock_;
  std::unique_ptr<table::TableEngine> tables_;
  std::unique_ptr<TableCheckpointStore> checkpoints_;
  std::vector<std::unique_ptr<LeaseManager>> workers_;
  std::vector<std::string> shards_ = {"s0", "s1", "s2", "s3"};
};

TEST_F(LeasesTest, ALoneWorkerTakesEveryShard) {
  LeaseManager* a = Worker("a");
  EXPECT_EQ(Round(a).size(), 4u);
  EXPECT_EQ(Round(a).size(), 4u);  // and keeps them
}

TEST_F(LeasesTest, ShardsSpreadEvenlyWhenASecondWorkerJoins) {
  LeaseManager* a = Worker("a");
  ASSERT_EQ(Round(a).size(), 4u);
  LeaseManager* b = Worker("b");
  for (int round = 0; round < 4; ++round) {
    Round(b);
    Round(a);
    clock_.AdvanceMillis(1000);
  }
  std::set<std::string> held_a = Round(a), held_b = Round(b);
  EXPECT_EQ(held_a.size(), 2u);
  EXPECT_EQ(held_b.size(), 2u);
  for (const auto& shard : held_a) EXPECT_FALSE(held_b.count(shard)) << shard << " held twice";
}

TEST_F(LeasesTest, AThirdWorkerTakesOverAShardFromOneAtItsCeiling) {
  LeaseManager* a = Worker("a");
  LeaseManager* b = Worker("b");
  for (int round = 0; round < 4; ++round) {
    Round(a);
    Round(b);
  }
  LeaseManager* c = Worker("c");  // 4 shards, 3 workers: ceiling 2, floor 1
  for (int round = 0; round < 3; ++round) {
    Round(c);
    Round(a);
    Round(b);
    clock_.AdvanceMillis(1000);
  }
  std::set<std::string> held_a = Round(a), held_b = Round(b), held_c = Round(c);
  EXPECT_EQ(held_a.size() + held_b.size() + held_c.size(), 4u);
  EXPECT_GE(held_c.size(), 1u);
  EXPECT_LE(std::max(held_a.size(), held_b.size()), 2u);
}

TEST_F(LeasesTest, AWorkerThatStopsRenewingLosesItsShardsAfterTheFailoverTime) {
  LeaseManager* a = Worker("a");
  LeaseManager* b = Worker("b");
  for (int round = 0; round < 4; ++round) {
    Round(a);
    Round(b);
  }
  ASSERT_EQ(Round(a).size(), 2u);
  // a dies; before the failover time b must not take a's shards.
  clock_.AdvanceMillis(9'000);
  EXPECT_EQ(Round(b).size(), 2u);
  clock_.AdvanceMillis(1'500);
  EXPECT_EQ(Round(b).size(), 4u);
}

TEST_F(LeasesTest, ACheckpointOfALostLeaseIsRefused) {
  LeaseManager* a = Worker("a");
  LeasedCheckpointStore a_checkpoints(checkpoints_.get(), a);
  ASSERT_EQ(Round(a).size(), 4u);
  ASSERT_TRUE(a_checkpoints.Save("m", "s0", Checkpoint{"100", false, 0, ""}).ok());

  clock_.AdvanceMillis(11'000);  // a stalls past the failover time
  LeaseManager* b = Worker("b");
  LeasedCheckpointStore b_checkpoints(checkpoints_.get(), b);
  ASSERT_EQ(Round(b).size(), 4u);
  ASSERT_TRUE(b_checkpoints.Save("m", "s0", Checkpoint{"200", false, 0, ""}).ok());

  // a wakes up and tries to save its stale progress: refused, b's stays.
  common::Status stale = a_checkpoints.Save("m", "s0", Checkpoint{"150", false, 0, ""});
  EXPECT_TRUE(stale.IsConditionFailed()) << stale.ToString();
  EXPECT_EQ(checkpoints_->Load("m", "s0").value()->sequence_number, "200");
  // and its next round finds its old leases gone: it is back to a fair share.
  EXPECT_LE(Round(a).size(), 2u);
}

}  // namespace
}  // namespace functions
