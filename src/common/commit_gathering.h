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
// that time (the wait then buys that many writers per fsync), and while
// commits do hold several writers: a single writer that waits for each
// commit before the next arrives fast when fsyncs are fast, and would only
// be slowed down.
//
// Not thread safe: the owner calls it under its queue's lock.
#pragma once

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

  // A writer queued.
  void Arrived() { ++arrived_; }

  // A commit is about to start at `now`: when it should start instead
  // (nullopt: at once). Call once per commit; it counts as begun then.
  std::optional<Clock::time_point> Begin(Clock::time_point now) {
    if (now - window_start_ >= kWindow) {
      double seconds = std::chrono::duration<double>(now - window_start_).count();
      expected_ = static_cast<double>(arrived_) / seconds * std::chrono::duration<double>(gather_).count();
      shared_ = static_cast<double>(arrived_) >= kSharedRatio * static_cast<double>(begun_);
      arrived_ = 0;
      begun_ = 0;
      window_start_ = now;
    }
    ++begun_;
    std::optional<Clock::time_point> start;
    if (gather_.count() > 0 && shared_ && expected_ >= min_expected_ && last_begin_ + gather_ > now) {
      start = last_begin_ + gather_;
    }
    last_begin_ = start.value_or(now);
    return start;
  }

 private:
  // Rates are measured over windows at least this long: short enough to
  // follow a load that starts or stops, long enough to hold many commits.
  static constexpr std::chrono::milliseconds kWindow{50};
  // Writers per commit from which commits count as shared.
  static constexpr double kSharedRatio = 1.1;

  const std::chrono::microseconds gather_;
  const double min_expected_;
  int64_t arrived_ = 0;  // in the current window
  int64_t begun_ = 0;    // commits in the current window
  Clock::time_point window_start_{};
  double expected_ = 0;  // writers expected per gather, at the last window's rate
  bool shared_ = false;  // the last window's commits held several writers
  Clock::time_point last_begin_{};
};

}  // namespace common
