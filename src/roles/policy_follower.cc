#include "roles/policy_follower.h"

#include <chrono>

#include <spdlog/spdlog.h>

namespace roles {

PolicyFollower::PolicyFollower(iam::IdentityStore* store, int64_t interval_ms)
    : store_(store), interval_ms_(interval_ms), thread_([this] { Run(); }) {}

PolicyFollower::~PolicyFollower() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void PolicyFollower::Run() {
  bool failing = false;
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; })) {
    lock.unlock();
    common::Result<bool> refreshed = store_->Refresh();
    // Said once when it starts failing and once when it works again: the
    // checks keep the last policies read meanwhile.
    if (!refreshed.ok() && !failing) {
      spdlog::warn("iam: cannot re-read IAM changes (keeping the last read): {}", refreshed.status().ToString());
    }
    if (refreshed.ok() && failing) spdlog::info("iam: re-reading IAM changes works again");
    if (refreshed.ok() && *refreshed) spdlog::info("iam: re-read identities and policies changed on another node");
    failing = !refreshed.ok();
    lock.lock();
  }
}

}  // namespace roles
