// Time behind an interface so tests can move it by hand (token buckets,
// iterator expiry, TTL, retention) instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace common {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in milliseconds since the Unix epoch (record timestamps).
  virtual int64_t NowMillis() const = 0;
  // Monotonic time in microseconds from an arbitrary origin (durations).
  virtual int64_t MonotonicMicros() const = 0;
};

// The real clocks. Thread-safe; Default() lives for the whole process.
class SystemClock final : public Clock {
 public:
  static SystemClock* Default();
  int64_t NowMillis() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
  int64_t MonotonicMicros() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  }
};

inline SystemClock* SystemClock::Default() {
  static SystemClock clock;
  return &clock;
}

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_millis = 1'700'000'000'000) : millis_(now_millis) {}
  int64_t NowMillis() const override { return millis_.load(); }
  int64_t MonotonicMicros() const override { return millis_.load() * 1000 + micros_.load(); }
  void AdvanceMillis(int64_t ms) { millis_ += ms; }
  void AdvanceMicros(int64_t us) {
    micros_ += us;
    millis_ += micros_ / 1000;
    micros_ = micros_.load() % 1000;  // std::atomic has no %=
  }

 private:
  std::atomic<int64_t> millis_;
  std::atomic<int64_t> micros_{0};
};

}  // namespace common
