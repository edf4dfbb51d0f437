// Sign-up throttling (POST /api/auth/signup) per client address: each address
// may sign up `max_per_ip` accounts at once and one more every
// `refill_seconds` (a token bucket per address, gateway::Throttler: bounded
// memory, Retry-After in whole seconds). Every sign-up with a well-formed
// body counts, whether it then succeeds or not (each costs an argon2id hash),
// and a refused one is answered before any hashing.
//
// Addresses in `exempt` (CIDRs or single addresses; by default loopback,
// where `rivulet loadgen`, scripts and tests run) are never throttled.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "gateway/client_address.h"
#include "gateway/token_bucket.h"

namespace orders {

struct SignupThrottleOptions {
  int max_per_ip = 10;          // api.signup_max_per_ip: sign-ups one address may make at once
  int64_t refill_seconds = 360;  // api.signup_refill_seconds: then one more per this many seconds (10/h)
  // api.signup_exempt_addresses: never throttled; empty = every address is.
  std::vector<std::string> exempt = {"127.0.0.0/8", "::1"};
};

class SignupThrottle {
 public:
  // InvalidArgument naming the setting when an exempt entry is not an
  // address or CIDR (checked at start-up).
  static common::Status Validate(const SignupThrottleOptions& options);

  // REQUIRES: Validate(options) is OK; clock outlives this.
  SignupThrottle(const common::Clock* clock, SignupThrottleOptions options);

  // Counts a sign-up from `ip`: 0 when it may proceed, otherwise the whole
  // seconds (>= 1) until one may, for Retry-After (this attempt is not counted).
  int Acquire(std::string_view ip);

 private:
  gateway::AddressSet exempt_;
  gateway::Throttler buckets_;
};

}  // namespace orders
