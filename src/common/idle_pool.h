// A thread-safe stack of idle objects that are costly to make, such as curl
// handles that keep their connections open between requests.
#pragma once

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace common {

template <typename T>
class IdlePool {
 public:
  // The most recently returned idle object, or make() when none is idle.
  template <typename Make>
  std::unique_ptr<T> TakeOr(Make make) {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        std::unique_ptr<T> item = std::move(idle_.back());
        idle_.pop_back();
        return item;
      }
    }
    return make();
  }

  void Put(std::unique_ptr<T> item) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(item));
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<T>> idle_;  // guarded by mu_
};

}  // namespace common
