#include "log/committer.h"

#include <chrono>
#include <functional>

#include "common/thread_name.h"
#include "log/log.h"

namespace logs {

Committer::Committer(int threads, SyncMode mode, int interval_ms, int gather_micros)
    : mode_(mode), interval_ms_(interval_ms < 1 ? 1 : interval_ms), gather_micros_(gather_micros) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    w->thread = std::thread([this, w] {
      common::NameThisThread("log-commit");
      Run(w);
    });
  }
}

Committer::~Committer() {
  for (auto& worker : workers_) {
    std::lock_guard lock(worker->mu);
    worker->stop = true;
    worker->cv.notify_all();
  }
  for (auto& worker : workers_) worker->thread.join();
}

void Committer::Schedule(std::shared_ptr<Log> log) {
  // A stable thread per log keeps its commits in order without a lock
  // around the I/O.
  Worker* worker = workers_[log->commit_thread()].get();
  std::lock_guard lock(worker->mu);
  worker->queue.push_back(std::move(log));
  worker->cv.notify_one();
}

void Committer::Run(Worker* worker) {
  using Clock = std::chrono::steady_clock;
  auto next_sync = Clock::now() + std::chrono::milliseconds(interval_ms_);
  std::unique_lock lock(worker->mu);
  while (true) {
    if (worker->queue.empty()) {
      if (worker->stop) break;
      if (mode_ == SyncMode::kInterval) {
        worker->cv.wait_until(lock, next_sync);
      } else {
        worker->cv.wait(lock);
      }
    }
    if (mode_ == SyncMode::kInterval && Clock::now() >= next_sync) {
      std::map<const Log*, std::weak_ptr<Log>> unsynced;
      unsynced.swap(worker->unsynced);
      lock.unlock();
      for (auto& [key, weak] : unsynced) {
        if (auto log = weak.lock()) log->SyncIfDirty();
      }
      lock.lock();
      next_sync = Clock::now() + std::chrono::milliseconds(interval_ms_);
    }
    if (worker->queue.empty()) continue;
    std::shared_ptr<Log> log = std::move(worker->queue.front());
    worker->queue.pop_front();
    lock.unlock();
    bool more = log->CommitPending(mode_);
    lock.lock();
    if (mode_ == SyncMode::kInterval) worker->unsynced.emplace(log.get(), log);
    if (more) worker->queue.push_back(std::move(log));
  }
  // Stopping: sync what interval mode left unsynced.
  for (auto& [key, weak] : worker->unsynced) {
    if (auto log = weak.lock()) log->SyncIfDirty();
  }
}

}  // namespace logs
