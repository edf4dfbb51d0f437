// WriteLimiter: Kinesis's per-shard write limits (1 MiB/s and 1000
// records/s) as two token buckets refilled continuously, with a one-second
// burst. Time comes from the caller (the engine's Clock) so tests can move it.
// Thread-safe.
#pragma once

#include <cstdint>
#include <algorithm>
#include <mutex>

namespace stream {

class WriteLimiter {
 public:
  static constexpr double kBytesPerSecond = 1 << 20;
  static constexpr double kRecordsPerSecond = 1000;

  // Takes one record of `bytes` if both buckets allow it; false = throttled
  // (nothing taken).
  bool TryAcquire(int64_t now_micros, uint64_t bytes) {
    std::lock_guard lock(mu_);
    if (last_micros_ < 0) last_micros_ = now_micros;
    double elapsed = static_cast<double>(now_micros - last_micros_) / 1e6;
    if (elapsed > 0) {
      bytes_ = std::min(kBytesPerSecond, bytes_ + elapsed * kBytesPerSecond);
      records_ = std::min(kRecordsPerSecond, records_ + elapsed * kRecordsPerSecond);
      last_micros_ = now_micros;
    }
    if (records_ < 1 || bytes_ < static_cast<double>(bytes)) return false;
    records_ -= 1;
    bytes_ -= static_cast<double>(bytes);
    return true;
  }

 private:
  std::mutex mu_;
  double bytes_ = kBytesPerSecond;      // guarded by mu_
  double records_ = kRecordsPerSecond;  // guarded by mu_
  int64_t last_micros_ = -1;            // guarded by mu_
};

}  // namespace stream
