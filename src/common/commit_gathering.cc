#include "common/commit_gathering.h"

#include <algorithm>
#include <thread>

namespace common {

void CommitGathering::Arrived(int64_t work) {
  ++arrived_;
  ++arrived_total_;
  work_ += work;
}

void CommitGathering::Gather(std::unique_lock<std::mutex>& lock) {
  for (auto wake = Begin(Clock::now()); wake; wake = Continue(Clock::now())) {
    lock.unlock();
    std::this_thread::sleep_until(*wake);
    lock.lock();
  }
}

std::optional<CommitGathering::Clock::time_point> CommitGathering::Begin(Clock::time_point now) {
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

std::optional<CommitGathering::Clock::time_point> CommitGathering::Continue(Clock::time_point now) {
  if (now >= deadline_ || arrived_total_ == seen_) {
    last_begin_ = now;
    return std::nullopt;
  }
  seen_ = arrived_total_;
  return std::min(deadline_, now + patience_);
}

void CommitGathering::EndWindow(Clock::time_point now) {
  double seconds = std::chrono::duration<double>(now - window_start_).count();
  expected_ = static_cast<double>(arrived_) / seconds * std::chrono::duration<double>(gather_).count();
  shared_ = static_cast<double>(arrived_) >= kSharedRatio * static_cast<double>(begun_);
  // Two mean gaps: an open load fills them (by chance not in ~14 % of them).
  patience_ = arrived_ > 0 ? (now - window_start_) * 2 / arrived_ : Clock::duration::zero();
  double work_rate = static_cast<double>(work_) / seconds;
  double& average = window_gathers_ ? rate_gathering_ : rate_not_gathering_;
  average = average > 0 ? average + (work_rate - average) / 4 : work_rate;
  if (window_probes_ && rate_gathering_ > 0 && rate_not_gathering_ > 0) {
    prefer_gathering_ = rate_not_gathering_ <= kClosedRatio * rate_gathering_;
  }
  window_probes_ = ++windows_ % kProbeEvery == 0;
  window_gathers_ = window_probes_ ? !prefer_gathering_ : prefer_gathering_;
  window_start_ = now;
  arrived_ = 0;
  work_ = 0;
  begun_ = 0;
}

}  // namespace common
