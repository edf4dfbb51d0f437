// Token buckets for throttling (after envoy's TokenBucketImpl): a bucket holds
// up to `capacity` tokens and refills at `fill_rate` tokens per second from an
// injected Clock, so tests move time by hand.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"

namespace gateway {

// Not thread-safe; Throttler guards its buckets.
class TokenBucket {
 public:
  // Starts full. REQUIRES: capacity >= 1, fill_rate > 0, clock outlives the bucket.
  TokenBucket(double capacity, double fill_rate, const common::Clock* clock);

  // Takes `tokens` if that many are available; false leaves the bucket as is.
  bool TryConsume(double tokens = 1);
  // Microseconds until `tokens` will be available (0 when they are now).
  int64_t MicrosUntil(double tokens = 1);
  // True when the bucket has refilled to capacity (nothing to remember).
  bool Full();

 private:
  void Refill();

  double capacity_;
  double fill_rate_;
  const common::Clock* clock_;
  double tokens_;
  int64_t last_micros_;
};

// Per-route, per-client throttling: each (route, client key) pair gets its own
// bucket with the route's limit. Routes without a limit are never throttled.
// Thread-safe. Memory is bounded: beyond `max_buckets` idle (full) buckets are
// forgotten, and if every bucket is busy new clients share one overflow bucket.
class Throttler {
 public:
  explicit Throttler(const common::Clock* clock, size_t max_buckets = 100'000);

  // `rate_per_sec` sustained, bursts up to `burst` requests. rate <= 0 removes it.
  void SetLimit(std::string route, double rate_per_sec, double burst);

  // 0 when the request may proceed; otherwise the whole seconds (>= 1) the
  // client should wait, for Retry-After.
  int Check(std::string_view route, std::string_view client_key);

 private:
  struct Limit {
    double rate;
    double burst;
  };
  const common::Clock* clock_;
  size_t max_buckets_;
  // Lets Check() skip the lock on the common path where nothing is limited.
  std::atomic<size_t> limit_count_{0};
  std::mutex mu_;
  std::map<std::string, Limit, std::less<>> limits_;        // guarded by mu_
  std::unordered_map<std::string, TokenBucket> buckets_;    // guarded by mu_
};

}  // namespace gateway
