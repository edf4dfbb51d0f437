#include "orders/signup_throttle.h"

#include <algorithm>

#include "iam/condition.h"

namespace orders {
namespace {

constexpr char kRoute[] = "signup";

// The exempt list as a policy condition, so that addresses and CIDRs are
// matched exactly as an `IpAddress` condition on aws:SourceIp matches them.
iam::Condition ExemptCondition(const std::vector<std::string>& exempt) {
  iam::Condition c;
  c.op = "IpAddress";
  c.key = "aws:SourceIp";
  c.values = exempt;
  return c;
}

}  // namespace

common::Status SignupThrottle::Validate(const SignupThrottleOptions& options) {
  for (const std::string& entry : options.exempt) {
    if (entry.find("${") == std::string::npos &&
        iam::ValidateConditionValues(ExemptCondition({entry}), "api.signup_exempt_addresses").ok()) {
      continue;
    }
    return common::Status::InvalidArgument("api.signup_exempt_addresses has \"" + entry.substr(0, 60) +
                                           "\", which is not an IP address or CIDR block (127.0.0.0/8, ::1)");
  }
  return common::Status::OK();
}

SignupThrottle::SignupThrottle(const common::Clock* clock, SignupThrottleOptions options)
    : exempt_(ExemptCondition(options.exempt)), buckets_(clock) {
  double refill = static_cast<double>(std::max<int64_t>(1, options.refill_seconds));
  buckets_.SetLimit(kRoute, 1.0 / refill, std::max(1, options.max_per_ip));
}

int SignupThrottle::Acquire(std::string_view ip) {
  // A dual-stack listener (bind "::") sees IPv4 clients as ::ffff:a.b.c.d:
  // count and exempt them by their IPv4 address.
  if (ip.starts_with("::ffff:") && ip.find('.') != std::string_view::npos) ip.remove_prefix(7);
  if (!exempt_.values.empty()) {
    std::vector<std::string> source{std::string(ip)};
    if (iam::EvaluateCondition(exempt_, exempt_.values, &source)) return 0;
  }
  return buckets_.Check(kRoute, ip);
}

}  // namespace orders
