#include "gateway/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace gateway {

TokenBucket::TokenBucket(double capacity, double fill_rate, const common::Clock* clock)
    : capacity_(capacity), fill_rate_(fill_rate), clock_(clock), tokens_(capacity),
      last_micros_(clock->MonotonicMicros()) {}

void TokenBucket::Refill() {
  int64_t now = clock_->MonotonicMicros();
  if (now > last_micros_) {
    tokens_ = std::min(capacity_, tokens_ + (now - last_micros_) * fill_rate_ / 1e6);
    last_micros_ = now;
  }
}

bool TokenBucket::TryConsume(double tokens) {
  Refill();
  if (tokens_ < tokens) return false;
  tokens_ -= tokens;
  return true;
}

int64_t TokenBucket::MicrosUntil(double tokens) {
  Refill();
  if (tokens_ >= tokens) return 0;
  return static_cast<int64_t>(std::ceil((tokens - tokens_) * 1e6 / fill_rate_));
}

bool TokenBucket::Full() {
  Refill();
  return tokens_ >= capacity_;
}

Throttler::Throttler(const common::Clock* clock, size_t max_buckets)
    : clock_(clock), max_buckets_(max_buckets) {}

void Throttler::SetLimit(std::string route, double rate_per_sec, double burst) {
  std::lock_guard lock(mu_);
  std::erase_if(buckets_, [&](const auto& kv) { return kv.first.starts_with(route + '\n'); });
  if (rate_per_sec <= 0) {
    limits_.erase(route);
  } else {
    limits_[std::move(route)] = Limit{rate_per_sec, std::max(1.0, burst)};
  }
  limit_count_.store(limits_.size());
}

int Throttler::Check(std::string_view route, std::string_view client_key) {
  if (limit_count_.load(std::memory_order_relaxed) == 0) return 0;
  std::lock_guard lock(mu_);
  auto limit = limits_.find(route);
  if (limit == limits_.end()) return 0;
  std::string key;
  key.reserve(route.size() + client_key.size() + 1);
  key.append(route).append(1, '\n').append(client_key);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_buckets_) {
      for (auto it2 = buckets_.begin(); it2 != buckets_.end();) {
        it2 = it2->second.Full() ? buckets_.erase(it2) : std::next(it2);
      }
    }
    if (buckets_.size() >= max_buckets_) {
      // Every remembered client is mid-burst: newcomers share one bucket
      // rather than growing memory without bound.
      key = std::string(route) + "\n*overflow*";
      it = buckets_.find(key);
    }
    if (it == buckets_.end()) {
      it = buckets_.emplace(key, TokenBucket(limit->second.burst, limit->second.rate, clock_)).first;
    }
  }
  if (it->second.TryConsume(1)) return 0;
  int64_t micros = it->second.MicrosUntil(1);
  return static_cast<int>(std::max<int64_t>(1, (micros + 999'999) / 1'000'000));
}

}  // namespace gateway
