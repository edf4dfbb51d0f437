// A small fixed pool of threads for the blocking parts of request handling
// (table writes wait for an fsync; argon2 takes tens of milliseconds), so that
// the gateway's I/O threads never wait on them.
//
// Thread safety: Post may be called from any thread. The destructor runs the
// tasks already queued, then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace orders {

class WorkQueue {
 public:
  // `name` names the threads (common::NameThisThread).
  WorkQueue(int threads, size_t max_queued, std::string name = "work");
  ~WorkQueue();

  // False (and `task` not run) when max_queued tasks are already waiting:
  // the caller answers 503 instead of letting the queue grow without bound.
  bool Post(std::function<void()> task);

 private:
  void Loop();

  size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace orders
