#include "functions/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace functions {
namespace {

// Counts its runs; can be told to come back after a delay.
class CountingTask final : public Task {
 public:
  int64_t Step() override {
    seen_wakes_ = wakes_.load();
    int n = ++runs_;
    bool overlap = running_.exchange(true);
    if (overlap) overlapped_ = true;
    std::this_thread::yield();
    running_ = false;
    {
      std::lock_guard lock(mu_);
      cv_.notify_all();
    }
    if (n < again_until_) return Scheduler::NowMicros() + 1000;
    return kIdle;
  }
  bool WaitForRuns(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return runs_.load() >= n; });
  }
  bool WaitForSeenWakes(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return seen_wakes_.load() >= n; });
  }
  std::atomic<int> runs_{0};
  std::atomic<int> wakes_{0};       // bumped by the test before each Wake
  std::atomic<int> seen_wakes_{0};  // wakes_ as seen at the start of the last Step
  std::atomic<bool> running_{false};
  std::atomic<bool> overlapped_{false};
  int again_until_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
};

TEST(SchedulerTest, AddedTaskRunsOnceAndWaitsForWake) {
  Scheduler scheduler(2);
  CountingTask task;
  scheduler.Add(&task);
  ASSERT_TRUE(task.WaitForRuns(1));
  scheduler.Wake(&task);
  ASSERT_TRUE(task.WaitForRuns(2));
  scheduler.Remove(&task);
  EXPECT_FALSE(task.overlapped_);
}

TEST(SchedulerTest, TimerBroughtTaskBackUntilItWentIdle) {
  Scheduler scheduler(1);
  CountingTask task;
  task.again_until_ = 5;
  scheduler.Add(&task);
  ASSERT_TRUE(task.WaitForRuns(5));
  scheduler.Remove(&task);
  EXPECT_EQ(task.runs_.load(), 5);
}

// Wakes coalesce, but none is lost: some run starts after the last wake.
TEST(SchedulerTest, ManyWakesNeverRunATaskTwiceAtOnceAndNoneIsLost) {
  Scheduler scheduler(2);
  CountingTask task;
  scheduler.Add(&task);
  for (int i = 0; i < 2000; ++i) {
    ++task.wakes_;
    scheduler.Wake(&task);
  }
  ASSERT_TRUE(task.WaitForSeenWakes(2000));
  scheduler.Remove(&task);
  EXPECT_FALSE(task.overlapped_);
}

// Returns a timer far ahead; says whether wakes may wait for it.
class GatheringTask final : public Task {
 public:
  explicit GatheringTask(bool wakes_wait) : wakes_wait_(wakes_wait) {}
  int64_t Step() override {
    ++runs_;
    return runs_ == 1 ? Scheduler::NowMicros() + 3'000'000 : kIdle;
  }
  bool WakesWaitForTimer() const override { return wakes_wait_; }
  const bool wakes_wait_;
  std::atomic<int> runs_{0};
};

bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 1000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

TEST(SchedulerTest, WakesWaitForTheTimerOnlyWhenTheTaskSaysSo) {
  Scheduler scheduler(2);
  GatheringTask waits(true), eager(false);
  scheduler.Add(&waits);
  scheduler.Add(&eager);
  ASSERT_TRUE(Eventually([&] { return waits.runs_ == 1 && eager.runs_ == 1; }));
  auto woken = Scheduler::NowMicros();
  for (int i = 0; i < 10; ++i) {
    scheduler.Wake(&waits);
    scheduler.Wake(&eager);
  }
  // Wakes coalesce, so the eager task runs again once or twice, at once.
  ASSERT_TRUE(Eventually([&] { return eager.runs_ >= 2; }));
  EXPECT_EQ(waits.runs_.load(), 1);
  // The waiting task runs again only when its timer is due, and only once.
  ASSERT_TRUE(Eventually([&] { return waits.runs_ >= 2; }));
  EXPECT_GE(Scheduler::NowMicros() - woken, 2'500'000);
  EXPECT_EQ(waits.runs_.load(), 2);
  scheduler.Remove(&waits);
  scheduler.Remove(&eager);
}

}  // namespace
}  // namespace functions
