// Keeps a node's copy of IAM current when IAM changes on another node: a
// `--role worker` checks its functions' execution roles against the
// identity store it opened over the API node's tables, and this asks that
// store to Refresh every interval (one GetItem when nothing changed), so a
// policy changed with `aws iam` on the API node applies on the worker
// within about a second.
//
// Thread safety: owns one thread, started by the constructor and joined by
// the destructor. Not owned: the store must outlive the follower.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "iam/identity_store.h"

namespace roles {

class PolicyFollower {
 public:
  explicit PolicyFollower(iam::IdentityStore* store, int64_t interval_ms = 1000);
  ~PolicyFollower();
  PolicyFollower(const PolicyFollower&) = delete;
  PolicyFollower& operator=(const PolicyFollower&) = delete;

 private:
  void Run();

  iam::IdentityStore* store_;
  const int64_t interval_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace roles
