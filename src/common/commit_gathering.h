// CommitGathering: when a group commit should wait before it starts, so that
// more writers share its fsync.
//
// A group commit takes whatever queued while the previous one ran. At a low
// rate that is one writer, and waiting would only add to its latency. At a
// high rate each fsync still covered only one or two (the order path at
// 4,000 orders/s: 77 % of the stream's commits and 57 % of the tables' held
// a single writer), and the fsyncs were the largest cost per order. So a
// commit waits until `gather` after the previous one began, but only
//  - while the recent arrival rate says at least `min_expected` writers
//    arrive in that time (the wait then buys that many writers per fsync);
//  - while commits do hold several writers: a single writer that waits for
//    each commit arrives fast when fsyncs are fast, and would only be slowed;
//  - while writers keep coming (a wait ends after two mean gaps without
//    one): a few writers that each wait for their commit are all in the
//    group already (8 such writers went from 30,000 to 10,700 synced
//    writes/s with a plain 1 ms wait);
//  - while writers bring no more work without the waits: many writers that
//    wait for their answers do keep arriving, so now and then a probe
//    window runs the other way and compares (16 DynamoDB clients: 20,800
//    puts/s without against 15,300 with a plain wait); an open load brings
//    as much either way.
//
// Not thread safe: the owner calls it under its queue's lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace common {

class CommitGathering {
 public:
  using Clock = std::chrono::steady_clock;

  // gather <= 0 never waits.
  CommitGathering(std::chrono::microseconds gather, double min_expected)
      : gather_(gather), min_expected_(min_expected) {}

  // A writer queued, with `work` items (records, keys) for the probes: a
  // writer that batches more while commits gather arrives less often but
  // brings as much.
  void Arrived(int64_t work = 1);

  // A commit is about to start: waits while it should, with `lock` (the
  // queue's, held on entry and on return) released meanwhile.
  void Gather(std::unique_lock<std::mutex>& lock);

  // Gather's steps, with the time given (tests simulate it). Begin: a
  // commit is about to start at `now`; nullopt to start at once, else when
  // to look again. Continue, at that time: the same. Once per commit.
  std::optional<Clock::time_point> Begin(Clock::time_point now);
  std::optional<Clock::time_point> Continue(Clock::time_point now);

 private:
  // Rates are measured over windows at least this long: short enough to
  // follow a load that starts or stops, long enough to hold many commits.
  static constexpr std::chrono::milliseconds kWindow{50};
  // Writers per commit from which commits count as shared.
  static constexpr double kSharedRatio = 1.1;
  // Every kProbeEvery-th window runs the other way (gathering or not);
  // gathering stops while the work per second without it is higher by more
  // than kClosedRatio.
  static constexpr int kProbeEvery = 20;
  static constexpr double kClosedRatio = 1.1;

  void EndWindow(Clock::time_point now);

  const std::chrono::microseconds gather_;
  const double min_expected_;
  // The current window.
  Clock::time_point window_start_{};
  int64_t arrived_ = 0;
  int64_t work_ = 0;
  int64_t begun_ = 0;  // commits
  bool window_gathers_ = true;
  bool window_probes_ = false;
  // From the windows before.
  int64_t windows_ = 0;
  double expected_ = 0;  // writers expected per gather
  bool shared_ = false;  // commits held several writers
  Clock::duration patience_{};  // a wait ends when no writer came for this long
  bool prefer_gathering_ = true;
  double rate_gathering_ = 0;      // work/s of the windows that might gather (moving average)
  double rate_not_gathering_ = 0;  // ... and of those that might not
  // Commits and waits.
  Clock::time_point last_begin_{};
  Clock::time_point deadline_{};  // of the wait in progress
  int64_t arrived_total_ = 0;
  int64_t seen_ = 0;  // arrived_total_ at the wait's last look
};

}  // namespace common
