// Lets an HTTP handler wait (on a worker thread, never an I/O thread) for
// order-processor to apply a status change it put on the stream, so that
// POST /api/orders/{id}/cancel can answer with the order as it really is
// (or 409 when the processor refused the change).
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <future>
#include <map>
#include <mutex>
#include <string>

#include "common/status.h"
#include "orders/model.h"

namespace orders {

class OutcomeWaiters {
 public:
  // Call before the event is put on the stream.
  std::future<common::Result<Order>> Expect(const std::string& event_id) {
    std::lock_guard lock(mu_);
    return waiting_[event_id].get_future();
  }
  // Called by the processor once the event is applied (or refused). A no-op
  // when nobody waits (another process put it, or the waiter gave up).
  void Complete(const std::string& event_id, common::Result<Order> outcome) {
    std::promise<common::Result<Order>> promise;
    {
      std::lock_guard lock(mu_);
      auto it = waiting_.find(event_id);
      if (it == waiting_.end()) return;
      promise = std::move(it->second);
      waiting_.erase(it);
    }
    promise.set_value(std::move(outcome));
  }
  void Forget(const std::string& event_id) {
    std::lock_guard lock(mu_);
    waiting_.erase(event_id);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::promise<common::Result<Order>>> waiting_;  // guarded by mu_
};

}  // namespace orders
