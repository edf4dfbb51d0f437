#include "orders/signup_throttle.h"

#include <algorithm>

namespace orders {
namespace {

constexpr char kRoute[] = "signup";

// REQUIRES: SignupThrottle::Validate accepted the list.
gateway::AddressSet ParsedExempt(const std::vector<std::string>& exempt) {
  auto set = gateway::AddressSet::Parse(exempt);
  return set.ok() ? *set : gateway::AddressSet();
}

}  // namespace

common::Status SignupThrottle::Validate(const SignupThrottleOptions& options) {
  return gateway::AddressSet::Parse(options.exempt).status().WithContext("api.signup_exempt_addresses");
}

SignupThrottle::SignupThrottle(const common::Clock* clock, SignupThrottleOptions options)
    : exempt_(ParsedExempt(options.exempt)), buckets_(clock) {
  double refill = static_cast<double>(std::max<int64_t>(1, options.refill_seconds));
  buckets_.SetLimit(kRoute, 1.0 / refill, std::max(1, options.max_per_ip));
}

int SignupThrottle::Acquire(std::string_view ip) {
  // A dual-stack listener (bind "::") sees IPv4 clients as ::ffff:a.b.c.d:
  // count them by their IPv4 address (AddressSet already matches them so).
  if (ip.starts_with("::ffff:") && ip.find('.') != std::string_view::npos) ip.remove_prefix(7);
  if (exempt_.Contains(ip)) return 0;
  return buckets_.Check(kRoute, ip);
}

}  // namespace orders
