#include "roles/role_checker.h"

#include <spdlog/spdlog.h>

#include "iam/sigv4.h"

namespace roles {

RoleChecker::RoleChecker(iam::IdentityStore* store, iam::Principal principal, CheckerOptions options)
    : store_(store), principal_(std::move(principal)), account_(store->account_id()), options_(std::move(options)) {
  iam::SetPrincipalKeys(principal_, account_, &base_);
  base_.Set("aws:RequestedRegion", options_.region);
  base_.Set("aws:SecureTransport", "true");  // in-process: nothing crosses a network
}

std::shared_ptr<const RoleChecker::Snapshot> RoleChecker::Policies() const {
  uint64_t generation = store_->generation();
  {
    std::lock_guard lock(mu_);
    if (snapshot_ && snapshot_->generation == generation) return snapshot_;
  }
  auto fresh = std::make_shared<Snapshot>();
  fresh->generation = generation;
  fresh->owned = store_->PoliciesOf(principal_);
  for (const auto& p : fresh->owned) {
    fresh->policies.push_back(p.get());
    for (const auto& statement : p->statements) fresh->conditional |= !statement.conditions.empty();
  }
  std::lock_guard lock(mu_);
  snapshot_ = fresh;
  return fresh;
}

common::Status RoleChecker::Decide(const Snapshot& snapshot, std::string_view action, const std::string& resource,
                                   const std::vector<std::pair<std::string, std::string>>* keys) const {
  if (principal_.kind == iam::Principal::Kind::kRoot) return common::Status::OK();
  iam::EvaluationResult result;
  std::string cache_key;
  bool cached = false;
  if (keys == nullptr) {
    cache_key.reserve(action.size() + 1 + resource.size());
    cache_key.append(action).append(1, '\n').append(resource);
    std::lock_guard lock(snapshot.mu);
    if (auto it = snapshot.decisions.find(cache_key); it != snapshot.decisions.end()) {
      result = it->second;
      cached = true;
    }
  }
  if (!cached) {
    iam::RequestContext request = base_;
    request.action = std::string(action);
    request.resource = resource;
    int64_t now = options_.clock->NowMillis();
    request.Set("aws:EpochTime", std::to_string(now / 1000));
    request.Set("aws:CurrentTime", iam::FormatIsoTime(now));
    if (keys != nullptr) {
      for (const auto& [k, v] : *keys) request.Add(k, v);
    }
    result = iam::Evaluate(snapshot.policies, request);
    if (keys == nullptr) {
      std::lock_guard lock(snapshot.mu);
      if (snapshot.decisions.size() >= 4096) snapshot.decisions.clear();  // bound: resources are few in practice
      snapshot.decisions.emplace(std::move(cache_key), result);
    }
  }
  if (result.decision == iam::Decision::kAllow) return common::Status::OK();
  spdlog::warn("audit principal={} action={} resource={} decision={}", principal_.arn, action, resource,
               iam::DecisionName(result.decision));
  if (options_.on_denied) options_.on_denied(principal_.arn, std::string(action));
  std::string why = result.decision == iam::Decision::kExplicitDeny
                        ? "with an explicit deny in an identity-based policy"
                        : "because no identity-based policy allows the " + std::string(action) + " action";
  return common::Status::PermissionDenied("User: " + principal_.arn + " is not authorized to perform: " +
                                          std::string(action) + " on resource: " + resource + " " + why);
}

}  // namespace roles
