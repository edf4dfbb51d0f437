#include "functions/scheduler.h"

#include <cassert>
#include <chrono>

#include "common/thread_name.h"

namespace functions {

Scheduler::Scheduler(int threads) {
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] {
    common::NameThisThread("fn-worker");
    WorkerLoop();
  });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

int64_t Scheduler::NowMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

void Scheduler::Add(Task* task) {
  std::lock_guard lock(mu_);
  EnqueueLocked(task);
  work_cv_.notify_one();
}

void Scheduler::Wake(Task* task) {
  std::lock_guard lock(mu_);
  if (task->removed_) return;
  if (task->running_) {
    task->wake_pending_ = true;
    return;
  }
  if (task->queued_ || (task->timed_ && task->wakes_wait_)) return;
  EnqueueLocked(task);
  work_cv_.notify_one();
}

void Scheduler::Remove(Task* task) {
  std::unique_lock lock(mu_);
  task->removed_ = true;
  if (task->timed_) {
    timers_.erase(task->timer_);
    task->timed_ = false;
  }
  if (task->queued_) {
    for (auto it = ready_.begin(); it != ready_.end(); ++it) {
      if (*it == task) {
        ready_.erase(it);
        break;
      }
    }
    task->queued_ = false;
  }
  idle_cv_.wait(lock, [task] { return !task->running_; });
}

void Scheduler::EnqueueLocked(Task* task) {
  if (task->timed_) {
    timers_.erase(task->timer_);
    task->timed_ = false;
  }
  task->queued_ = true;
  ready_.push_back(task);
}

void Scheduler::WorkerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    int64_t now = NowMicros();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      Task* due = timers_.begin()->second;
      timers_.erase(timers_.begin());
      due->timed_ = false;
      due->queued_ = true;
      ready_.push_back(due);
    }
    if (ready_.empty()) {
      if (timers_.empty()) {
        work_cv_.wait(lock);
      } else {
        work_cv_.wait_for(lock, std::chrono::microseconds(timers_.begin()->first - now));
      }
      continue;
    }
    Task* task = ready_.front();
    ready_.pop_front();
    task->queued_ = false;
    task->running_ = true;
    lock.unlock();
    int64_t next = task->Step();
    lock.lock();
    task->running_ = false;
    if (task->removed_) {
      idle_cv_.notify_all();
      continue;
    }
    bool due = next != Task::kIdle && next <= NowMicros();
    bool wakes_wait = next != Task::kIdle && !due && task->WakesWaitForTimer();
    if (wakes_wait) task->wake_pending_ = false;  // what it woke for is read when the timer runs it
    if (task->wake_pending_ || due) {
      task->wake_pending_ = false;
      EnqueueLocked(task);
    } else if (next != Task::kIdle) {
      task->timer_ = timers_.emplace(next, task);
      task->timed_ = true;
      task->wakes_wait_ = wakes_wait;
      // Another worker may be sleeping past this new deadline.
      work_cv_.notify_one();
    }
  }
}

}  // namespace functions
