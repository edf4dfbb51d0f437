// Scheduler: a bounded pool of worker threads that runs Tasks when they are
// woken or when their timer is due. A Task never runs on two threads at once,
// and a wake-up that arrives while it runs makes it run once more, so no
// notification is lost. This is how shard processors get records as soon as
// they are durable without one thread per shard and without polling.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace functions {

class Scheduler;

class Task {
 public:
  static constexpr int64_t kIdle = -1;  // Step's "run me only when woken"
  virtual ~Task() = default;
  // Does a bounded amount of work; returns kIdle or the steady-clock time in
  // microseconds at which to run again (<= now means at once).
  virtual int64_t Step() = 0;
  // Asked after a Step that returned a time: true lets wake-ups wait for that
  // time instead of running the task at once (a shard processor gathering a
  // batch until its batching window closes reads the new records then, not
  // once per arrival).
  virtual bool WakesWaitForTimer() const { return false; }

 private:
  friend class Scheduler;
  // Guarded by Scheduler::mu_.
  bool wakes_wait_ = false;  // timed, and WakesWaitForTimer() said so
  bool queued_ = false;
  bool running_ = false;
  bool wake_pending_ = false;
  bool removed_ = false;
  bool timed_ = false;
  std::multimap<int64_t, Task*>::iterator timer_;
};

class Scheduler {
 public:
  explicit Scheduler(int threads);
  ~Scheduler();  // REQUIRES: every task was removed

  static int64_t NowMicros();

  // REQUIRES: `task` is not yet added; it stays valid until Remove returns.
  void Add(Task* task);  // runs it once soon
  void Wake(Task* task);
  // Unschedules `task` and waits until it is not running. Must not be
  // called from the task's own Step.
  void Remove(Task* task);

 private:
  void WorkerLoop();
  void EnqueueLocked(Task* task);

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<Task*> ready_;                // guarded by mu_
  std::multimap<int64_t, Task*> timers_;   // guarded by mu_
  bool stopping_ = false;                  // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace functions
