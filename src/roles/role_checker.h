// The policy check of one principal (a built-in function's execution role)
// for in-process calls: the same iam::Evaluate over the same policies and
// the same principal condition keys as the :4566 gate, so a function without
// dynamodb:PutItem on a table cannot write it, whichever path it takes.
//
// Cost: the role's policies are cached and re-read only when the identity
// store's generation moves (any IAM change); a check is one Evaluate over a
// copy of a prepared context, with no lock held while evaluating.
//
// Thread safety: Check() may run on any thread concurrently.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "iam/identity_store.h"
#include "iam/policy.h"

namespace roles {

// Called for every denial (metrics); the checker also writes the audit line.
using DenialObserver = std::function<void(const std::string& principal_arn, const std::string& action)>;

struct CheckerOptions {
  std::string region = "us-east-1";  // of the ARNs the clients build
  common::Clock* clock = common::SystemClock::Default();
  DenialObserver on_denied;  // may be empty
};

class RoleChecker {
 public:
  // REQUIRES: `store` outlives the checker.
  RoleChecker(iam::IdentityStore* store, iam::Principal principal, CheckerOptions options = {});

  // OK when the principal's policies allow `action` on `resource`;
  // PermissionDenied with AWS's AccessDenied wording otherwise (also logged
  // as an audit line and reported to on_denied). `add_keys(&pairs)` adds the
  // request's condition keys (dynamodb:LeadingKeys, ...); it runs only when
  // a policy of the principal has conditions. Without conditions the
  // decision depends on the action and resource alone and is cached until
  // IAM changes.
  template <typename AddKeys>
  common::Status Check(std::string_view action, const std::string& resource, AddKeys&& add_keys) const {
    std::shared_ptr<const Snapshot> snapshot = Policies();
    if (!snapshot->conditional) return Decide(*snapshot, action, resource, nullptr);
    std::vector<std::pair<std::string, std::string>> keys;
    add_keys(&keys);
    return Decide(*snapshot, action, resource, &keys);
  }
  common::Status Check(std::string_view action, const std::string& resource) const {
    return Check(action, resource, [](std::vector<std::pair<std::string, std::string>>*) {});
  }
  // `action` (kinesis:...) on the stream's ARN in this role's region and account.
  common::Status CheckStream(std::string_view action, const std::string& stream_name) const {
    return Check(action, "arn:aws:kinesis:" + region() + ":" + account() + ":stream/" + stream_name);
  }

  const iam::Principal& principal() const { return principal_; }
  const std::string& account() const { return account_; }
  const std::string& region() const { return options_.region; }

 private:
  struct Snapshot {
    uint64_t generation = 0;
    std::vector<std::shared_ptr<const iam::Policy>> owned;
    std::vector<const iam::Policy*> policies;
    bool conditional = false;  // some statement has a Condition
    mutable std::mutex mu;
    // "<action>\n<resource>" -> decision; unconditional policies only.
    mutable std::unordered_map<std::string, iam::EvaluationResult> decisions;  // guarded by mu
  };
  std::shared_ptr<const Snapshot> Policies() const;
  common::Status Decide(const Snapshot& snapshot, std::string_view action, const std::string& resource,
                        const std::vector<std::pair<std::string, std::string>>* keys) const;

  iam::IdentityStore* store_;
  iam::Principal principal_;
  std::string account_;
  CheckerOptions options_;
  iam::RequestContext base_;  // the principal's keys, set once
  mutable std::mutex mu_;
  mutable std::shared_ptr<const Snapshot> snapshot_;  // guarded by mu_
};

}  // namespace roles
