#include "orders/login_throttle.h"

#include <algorithm>

namespace orders {
namespace {

std::string AccountKey(std::string_view email) {
  std::string key = "a:";
  key.reserve(2 + email.size());
  for (char c : email) key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return key;
}

std::string IpKey(std::string_view ip) { return "i:" + std::string(ip); }

}  // namespace

LoginThrottle::LoginThrottle(const common::Clock* clock, LoginThrottleOptions options)
    : clock_(clock), options_(options) {
  options_.max_failures = std::max(1, options_.max_failures);
  options_.max_failures_per_ip = std::max(1, options_.max_failures_per_ip);
  options_.lockout_seconds = std::max<int64_t>(1, options_.lockout_seconds);
  options_.max_lockout_seconds = std::max(options_.lockout_seconds, options_.max_lockout_seconds);
  options_.max_entries = std::max<size_t>(2, options_.max_entries);
}

int64_t LoginThrottle::Remaining(const std::string& key, int64_t now) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.locked_until_ms <= now) return 0;
  return (it->second.locked_until_ms - now + 999) / 1000;
}

int64_t LoginThrottle::RetryAfter(std::string_view email, std::string_view ip) {
  int64_t now = clock_->NowMillis();
  std::lock_guard lock(mu_);
  return std::max(Remaining(AccountKey(email), now), Remaining(IpKey(ip), now));
}

void LoginThrottle::Fail(const std::string& key, int threshold, int64_t now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    MakeRoom(now);
    it = entries_.emplace(key, Entry{}).first;
  }
  Entry& e = it->second;
  if (e.locked_until_ms <= now && now - e.last_failure_ms > options_.forget_seconds * 1000) e.failures = 0;
  ++e.failures;
  e.last_failure_ms = now;
  if (e.failures >= threshold) {
    // 1x the base at the threshold, then 2x, 4x, ... (capped; no overflow).
    int doublings = std::min(e.failures - threshold, 30);
    int64_t seconds = std::min(options_.max_lockout_seconds, options_.lockout_seconds << doublings);
    e.locked_until_ms = now + seconds * 1000;
  }
}

void LoginThrottle::RecordFailure(std::string_view email, std::string_view ip) {
  int64_t now = clock_->NowMillis();
  std::lock_guard lock(mu_);
  Fail(AccountKey(email), options_.max_failures, now);
  if (!ip.empty()) Fail(IpKey(ip), options_.max_failures_per_ip, now);
}

void LoginThrottle::RecordSuccess(std::string_view email) {
  std::lock_guard lock(mu_);
  entries_.erase(AccountKey(email));
}

void LoginThrottle::MakeRoom(int64_t now) {
  if (entries_.size() < options_.max_entries) return;
  std::erase_if(entries_, [&](const auto& kv) {
    return kv.second.locked_until_ms <= now && now - kv.second.last_failure_ms > options_.forget_seconds * 1000;
  });
  if (entries_.size() < options_.max_entries) return;
  auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
    return a.second.last_failure_ms < b.second.last_failure_ms;
  });
  entries_.erase(oldest);
}

size_t LoginThrottle::size() {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace orders
