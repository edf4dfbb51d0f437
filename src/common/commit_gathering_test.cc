#include "common/commit_gathering.h"

#include <gtest/gtest.h>

namespace common {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using Clock = CommitGathering::Clock;

// Runs `commits` commits, one every `every`, each after `writers` arrivals,
// from `*now` on; returns how many of them were told to wait, and checks
// that a wait always ends `gather` after the previous commit began.
int Commits(CommitGathering& gathering, Clock::time_point* now, int commits, microseconds every, int writers,
           microseconds gather) {
  int waited = 0;
  std::optional<Clock::time_point> previous;
  for (int i = 0; i < commits; ++i) {
    for (int w = 0; w < writers; ++w) gathering.Arrived();
    std::optional<Clock::time_point> start = gathering.Begin(*now);
    if (start) {
      ++waited;
      if (previous) {
        EXPECT_EQ(*start, *previous + gather);
      }
    }
    previous = start.value_or(*now);
    *now = previous.value() + every;
  }
  return waited;
}

TEST(CommitGatheringTest, ManyWritersPerCommitAtAHighRateWaitForMore) {
  const microseconds gather(1000);
  CommitGathering gathering(gather, 1.5);
  Clock::time_point now{};
  // 3 writers every 0.3 ms: 10,000/s, 10 expected per gather.
  int waited = Commits(gathering, &now, 1000, microseconds(300), 3, gather);
  // Only the first window's 167 commits (50 ms, no rate known yet) went at once.
  EXPECT_EQ(waited, 1000 - 167);
}

TEST(CommitGatheringTest, ASingleWriterIsNeverHeldBackHoweverFastItCommits) {
  const microseconds gather(1000);
  CommitGathering gathering(gather, 1.5);
  Clock::time_point now{};
  EXPECT_EQ(Commits(gathering, &now, 5000, microseconds(100), 1, gather), 0);
}

TEST(CommitGatheringTest, SharedCommitsAtALowRateGoAtOnce) {
  const microseconds gather(1000);
  CommitGathering gathering(gather, 1.5);
  Clock::time_point now{};
  // 2 writers every 5 ms: 400/s, 0.4 expected per gather.
  EXPECT_EQ(Commits(gathering, &now, 200, microseconds(5000), 2, gather), 0);
}

TEST(CommitGatheringTest, WaitingStopsOnceTheLoadDrops) {
  const microseconds gather(1000);
  CommitGathering gathering(gather, 1.5);
  Clock::time_point now{};
  EXPECT_EQ(Commits(gathering, &now, 500, microseconds(300), 3, gather), 500 - 167);
  // Then one writer every 2 ms: after one window of the new rate, no waits.
  Commits(gathering, &now, 60, microseconds(2000), 1, gather);
  EXPECT_EQ(Commits(gathering, &now, 100, microseconds(2000), 1, gather), 0);
}

TEST(CommitGatheringTest, AZeroGatherNeverWaits) {
  CommitGathering gathering(microseconds(0), 1.5);
  Clock::time_point now{};
  EXPECT_EQ(Commits(gathering, &now, 1000, microseconds(300), 3, microseconds(0)), 0);
}

}  // namespace
}  // namespace common
