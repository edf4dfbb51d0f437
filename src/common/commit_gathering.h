// CommitGathering: when a group commit should wait before it starts, so that
// more writers share its fsync.
//
// A group commit takes whatever queued while the previous one ran. At a low
// rate that is one writer, and waiting would only add to its latency. At a
// high rate each fsync still covered only one or two (the order path at
// 4,000 orders/s: 77 % of the stream's commits and 57 % of the tables' held
// a single writer), and the fsyncs were the largest cost per order. So a
// commit waits until `gather` after the previous one began, but only while
// the recent arrival rate says at least `min_expected` writers arrive in
// that time (the wait then buys that many writers per fsync), while commits
// do hold several writers (a single writer that waits for each commit
// before the next arrives fast when fsyncs are fast, and would only be
// slowed down), and while writers keep coming: a few writers that each wait
// for their commit before writing again are all in the group already, and
// holding it back would only slow them down (8 such writers went from
// 30,000 to 10,700 synced writes/s with a plain 1 ms wait). Many such
// writers, some always in flight, do keep arriving: for them a probe now
// and then compares the arrival rate without gathering (kProbeEvery).
//
// Not thread safe: the owner calls it under its queue's lock.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

namespace common {

class CommitGathering {
 public:
  using Clock = std::chrono::steady_clock;

  // gather 0 never waits.
  CommitGathering(std::chrono::microseconds gather, double min_expected)
      : gather_(gather), min_expected_(min_expected) {}

  // A writer queued, with `work` items (records, keys) for the probes: a
  // writer that batches more while commits gather arrives less often but
  // brings as much.
  void Arrived(int64_t work = 1) {
    ++arrived_;
    ++arrived_total_;
    work_ += work;
  }

  // A commit is about to start at `now`: nullopt to start at once, else
  // when to look again (call Continue then). Call once per commit.
  std::optional<Clock::time_point> Begin(Clock::time_point now) {
    if (now - window_start_ >= kWindow) EndWindow(now);
    ++begun_;
    if (gather_.count() > 0 && window_gathers_ && shared_ && expected_ >= min_expected_ && last_begin_ + gather_ > now) {
      deadline_ = last_begin_ + gather_;
      seen_ = arrived_total_;
      return std::min(deadline_, now + patience_);
    }
    last_begin_ = now;
    return std::nullopt;
  }

  // After waiting until what Begin or Continue returned: nullopt to start
  // now (the gather time is up, or no writer came meanwhile), else when to
  // look again.
  std::optional<Clock::time_point> Continue(Clock::time_point now) {
    if (now >= deadline_ || arrived_total_ == seen_) {
      last_begin_ = now;
      return std::nullopt;
    }
    seen_ = arrived_total_;
    return std::min(deadline_, now + patience_);
  }

 private:
  // Rates are measured over windows at least this long: short enough to
  // follow a load that starts or stops, long enough to hold many commits.
  static constexpr std::chrono::milliseconds kWindow{50};
  // Every kProbeEvery-th window runs the other way (gathering or not); a
  // closed load, whose writers only write again once answered, brings more
  // work without the waits (16 DynamoDB clients: 20,800 puts/s against
  // 15,300), an open load as much either way.
  static constexpr int kProbeEvery = 20;
  static constexpr double kClosedRatio = 1.1;

  void EndWindow(Clock::time_point now) {
    double seconds = std::chrono::duration<double>(now - window_start_).count();
    double rate = static_cast<double>(arrived_) / seconds;
    expected_ = rate * std::chrono::duration<double>(gather_).count();
    shared_ = static_cast<double>(arrived_) >= kSharedRatio * static_cast<double>(begun_);
    // Two mean gaps between arrivals: an open load fills them (by chance
    // not in ~14 % of them); writers that all wait for this commit do not.
    patience_ = arrived_ > 0 ? std::chrono::duration_cast<Clock::duration>(now - window_start_) * 2 / arrived_
                             : Clock::duration::zero();
    double work_rate = static_cast<double>(work_) / seconds;
    double& average = window_gathers_ ? rate_gathering_ : rate_not_gathering_;
    average = average > 0 ? average + (work_rate - average) / 4 : work_rate;
    if (window_probes_ && rate_gathering_ > 0 && rate_not_gathering_ > 0) {
      prefer_gathering_ = rate_not_gathering_ <= kClosedRatio * rate_gathering_;
    }
    window_probes_ = ++windows_ % kProbeEvery == 0;
    window_gathers_ = window_probes_ ? !prefer_gathering_ : prefer_gathering_;
    arrived_ = 0;
    work_ = 0;
    begun_ = 0;
    window_start_ = now;
  }
  // Writers per commit from which commits count as shared.
  static constexpr double kSharedRatio = 1.1;

  const std::chrono::microseconds gather_;
  const double min_expected_;
  int64_t arrived_ = 0;  // in the current window
  int64_t arrived_total_ = 0;
  int64_t work_ = 0;     // in the current window
  int64_t seen_ = 0;     // arrived_total_ at the last look of a wait
  Clock::time_point deadline_{};  // of the wait in progress
  Clock::duration patience_{};    // a wait ends when no writer came for this long
  int64_t begun_ = 0;    // commits in the current window
  Clock::time_point window_start_{};
  double expected_ = 0;  // writers expected per gather, at the last window's rate
  bool shared_ = false;  // the last window's commits held several writers
  int64_t windows_ = 0;
  bool window_gathers_ = true;   // this window may gather
  bool window_probes_ = false;   // ... against prefer_gathering_
  bool prefer_gathering_ = true;
  double rate_gathering_ = 0;      // work/s of the windows that might gather (moving average)
  double rate_not_gathering_ = 0;  // ... and of those that might not
  Clock::time_point last_begin_{};
};

}  // namespace common
