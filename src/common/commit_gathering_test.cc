#include "common/commit_gathering.h"

#include <gtest/gtest.h>

#include <set>

namespace common {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using Clock = CommitGathering::Clock;

struct Outcome {
  int commits = 0;
  int waited = 0;   // commits that Begin told to wait
  int writers = 0;  // writers committed
  Clock::time_point end{};
  double WritersPerCommit() const { return commits ? double(writers) / commits : 0; }
};

// One committer under `gathering` for `length` of simulated time. Open load
// (closed_writers 0): a writer arrives every `gap` whatever the commits do.
// Closed load: `closed_writers` writers, each writing again `round_trip`
// (plus up to 140 µs, so that they drift apart) after its commit is done. A
// commit takes `commit_time`. Checks that a commit that waited started no
// later than `gather` after the previous one began.
Outcome Simulate(CommitGathering& gathering, milliseconds length, microseconds gap, int closed_writers,
                 microseconds commit_time, microseconds gather, Clock::time_point start = {},
                 microseconds round_trip = microseconds(0)) {
  Outcome outcome;
  Clock::time_point now = start, next_arrival = start, last_start = start;
  const Clock::time_point end = now + length;
  std::multiset<Clock::time_point> returns;  // closed load: when each writer writes again
  for (int w = 0; w < closed_writers; ++w) returns.insert(start);
  int pending = 0;
  auto arrive_until = [&](Clock::time_point t) {
    for (; closed_writers == 0 && next_arrival <= t; next_arrival += gap) {
      gathering.Arrived();
      ++pending;
    }
    for (; !returns.empty() && *returns.begin() <= t; returns.erase(returns.begin())) {
      gathering.Arrived();
      ++pending;
    }
  };
  while (now < end) {
    arrive_until(now);
    if (pending == 0) {
      now = closed_writers == 0 ? next_arrival : *returns.begin();
      continue;
    }
    std::optional<Clock::time_point> wake = gathering.Begin(now);
    if (wake) {
      ++outcome.waited;
      while (wake) {
        now = *wake;
        arrive_until(now);
        wake = gathering.Continue(now);
      }
      EXPECT_LE(now - last_start, gather);
    }
    last_start = now;
    ++outcome.commits;
    outcome.writers += pending;
    now += commit_time;
    for (int w = 0; closed_writers > 0 && w < pending; ++w) {
      returns.insert(now + round_trip + microseconds(20 * ((outcome.writers + w) % 8)));
    }
    pending = 0;
  }
  outcome.end = now;
  return outcome;
}

TEST(CommitGatheringTest, AnOpenLoadAtAHighRateGathersMoreWritersPerCommit) {
  const microseconds gather(1000);
  // A writer every 100 µs (10,000/s), commits of 250 µs: 2.5 per commit at once.
  CommitGathering plain(microseconds(0), 1.5), gathering(gather, 1.5);
  Outcome at_once = Simulate(plain, milliseconds(1000), microseconds(100), 0, microseconds(250), gather);
  Outcome gathered = Simulate(gathering, milliseconds(1000), microseconds(100), 0, microseconds(250), gather);
  EXPECT_EQ(at_once.waited, 0);
  EXPECT_LT(at_once.WritersPerCommit(), 3);
  EXPECT_GT(gathered.WritersPerCommit(), 6);
  EXPECT_GT(gathered.waited, gathered.commits / 2);
}

TEST(CommitGatheringTest, WritersWhoAllWaitForTheCommitAreNotHeldBackLong) {
  const microseconds gather(1000);
  // 8 writers that each write again once committed, commits of 150 µs.
  CommitGathering plain(microseconds(0), 1.5), gathering(gather, 1.5);
  Outcome at_once = Simulate(plain, milliseconds(3000), microseconds(0), 8, microseconds(150), gather);
  Outcome gathered = Simulate(gathering, milliseconds(3000), microseconds(0), 8, microseconds(150), gather);
  // A plain 1 ms wait would cut them to 8 per 1.15 ms: 0.13 of at once.
  EXPECT_GT(gathered.writers, at_once.writers * 3 / 4);
}

TEST(CommitGatheringTest, ManyWritersWhoWaitForTheirAnswersAreNotSlowedDown) {
  const microseconds gather(1000);
  // 16 writers (clients) that write again 300-440 µs after their commit is
  // done, commits of 250 µs: some are always in flight, so writers keep
  // arriving during a wait; the probes find they arrive faster without.
  CommitGathering plain(microseconds(0), 1.5), gathering(gather, 1.5);
  Outcome at_once = Simulate(plain, milliseconds(3000), microseconds(0), 16, microseconds(250), gather, {},
                             microseconds(300));
  Outcome gathered = Simulate(gathering, milliseconds(3000), microseconds(0), 16, microseconds(250), gather, {},
                              microseconds(300));
  EXPECT_GT(gathered.writers, at_once.writers * 9 / 10);
}

TEST(CommitGatheringTest, ASingleWriterIsNeverHeldBackHoweverFastItCommits) {
  CommitGathering gathering(microseconds(1000), 1.5);
  EXPECT_EQ(Simulate(gathering, milliseconds(500), microseconds(0), 1, microseconds(50), microseconds(1000)).waited, 0);
}

TEST(CommitGatheringTest, AnOpenLoadAtALowRateGoesAtOnce) {
  CommitGathering gathering(microseconds(1000), 1.5);
  // A writer every 2 ms: 0.5 expected per gather.
  EXPECT_EQ(Simulate(gathering, milliseconds(500), microseconds(2000), 0, microseconds(250), microseconds(1000)).waited,
            0);
}

TEST(CommitGatheringTest, WaitingStopsOnceTheLoadDrops) {
  const microseconds gather(1000);
  CommitGathering gathering(gather, 1.5);
  Outcome busy = Simulate(gathering, milliseconds(300), microseconds(100), 0, microseconds(250), gather);
  EXPECT_GT(busy.waited, 0);
  // Once a whole window has seen a writer every 2 ms, none waits.
  Outcome calmer = Simulate(gathering, milliseconds(60), microseconds(2000), 0, microseconds(250), gather, busy.end);
  EXPECT_EQ(Simulate(gathering, milliseconds(300), microseconds(2000), 0, microseconds(250), gather, calmer.end).waited,
            0);
}

}  // namespace
}  // namespace common
