// Sign-in throttling (POST /api/auth/login): failed attempts are counted per
// account (the email as typed, lower-cased, whether or not it exists, so the
// answer never tells which emails have accounts) and per client IP. After
// `max_failures` failures in a row a key is locked out for `lockout_seconds`,
// doubling with every further failure up to `max_lockout_seconds`; a sign-in
// attempt while either key is locked is refused before the password is
// hashed. A successful sign-in clears the account's count but not the IP's
// (else one valid account would let an attacker reset its own IP's count
// between guesses at others).
//
// Memory is bounded: at most `max_entries` keys; when full, keys whose
// lockout and forget window passed are dropped first, then the least
// recently failed one.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"

namespace orders {

struct LoginThrottleOptions {
  int max_failures = 5;          // api.login_max_failures (per account)
  int max_failures_per_ip = 20;  // api.login_max_failures_per_ip
  int64_t lockout_seconds = 30;  // api.login_lockout_seconds: the first lockout
  int64_t max_lockout_seconds = 15 * 60;
  // A key's failures are forgotten this long after its last one (when not locked).
  int64_t forget_seconds = 15 * 60;
  size_t max_entries = 100'000;
};

class LoginThrottle {
 public:
  LoginThrottle(const common::Clock* clock, LoginThrottleOptions options);

  // 0 when a sign-in for (email, ip) may be tried now; otherwise the whole
  // seconds (>= 1) until it may, for Retry-After.
  int64_t RetryAfter(std::string_view email, std::string_view ip);
  // A wrong email or password for (email, ip).
  void RecordFailure(std::string_view email, std::string_view ip);
  // A successful sign-in: the account's failures are forgotten.
  void RecordSuccess(std::string_view email);

  size_t size();  // keys remembered (tests)

 private:
  struct Entry {
    int failures = 0;
    int64_t last_failure_ms = 0;
    int64_t locked_until_ms = 0;
  };
  int64_t Remaining(const std::string& key, int64_t now);  // REQUIRES: mu_ held
  void Fail(const std::string& key, int threshold, int64_t now);  // REQUIRES: mu_ held
  void MakeRoom(int64_t now);  // REQUIRES: mu_ held

  const common::Clock* clock_;
  LoginThrottleOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // "a:<email>" / "i:<ip>"; guarded by mu_
};

}  // namespace orders
