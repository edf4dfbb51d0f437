// Committer: the group-commit threads shared by every Log of an engine.
//
// Appenders only encode frames into their log's pending buffer and call
// Schedule(). A commit thread then writes the whole pending buffer with one
// write and covers it with one fdatasync before running the appenders'
// callbacks, so N concurrent appenders cost one fsync, not N. Each log is given
// a thread round robin when it opens (AssignThread), so one log is only ever
// committed by one thread (its frames stay in order) while different shards
// sync in parallel.
//
// Thread safety: Schedule() may be called from any thread. The destructor
// drains every scheduled log, then joins the threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace logs {

class Log;

enum class SyncMode {
  kFsync,     // fdatasync before acknowledging (group commit)
  kInterval,  // acknowledge after write; fdatasync every interval
  kNone,      // acknowledge after write; the OS writes back when it likes
};

class Committer {
 public:
  // gather_micros (kFsync only, <= 0 = never): how long a log's commit may
  // wait under load for more appends (common::CommitGathering).
  Committer(int threads, SyncMode mode, int interval_ms, int gather_micros = 0);
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  SyncMode mode() const { return mode_; }
  int gather_micros() const { return gather_micros_; }

  // The thread for a new log: round robin, so that the shards of a stream,
  // opened one after another, land on different threads.
  size_t AssignThread() { return next_thread_++ % workers_.size(); }

  // Queues `log` for a commit on its thread. The queue keeps the log alive.
  void Schedule(std::shared_ptr<Log> log);

 private:
  struct Worker {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::shared_ptr<Log>> queue;  // guarded by mu
    // kInterval: logs written since the last sync; guarded by mu.
    std::map<const Log*, std::weak_ptr<Log>> unsynced;
    bool stop = false;                         // guarded by mu
    std::thread thread;
  };
  void Run(Worker* worker);

  const SyncMode mode_;
  const int interval_ms_;
  const int gather_micros_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<size_t> next_thread_{0};
};

}  // namespace logs
