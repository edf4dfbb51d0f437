// CommitQueue: the table engine's group commit with early lock release.
//
// A writer prepares its RocksDB operations under its items' locks, Submits
// them (which fixes their place in the commit order), releases the locks and
// only then Waits for durability. Whichever waiter finds no commit in
// progress leads: it takes every batch queued so far, writes them as one
// RocksDB WriteBatch (one WAL append, one fsync when sync is on) and wakes
// their writers. So writers of one hot item no longer pay one fsync each
// while holding its lock, and writes to different items share fsyncs.
//
// Order: batches reach RocksDB in Submit order, and a batch becomes visible
// to readers only once its group is written (and synced, if any batch in it
// asks for that). Writers that need the newest value of an item still in
// the queue get it from the engine's pending-value overlay
// (table_engine.cc), not from RocksDB.
//
// Asynchronous writers (SubmitAsync) do not wait: the leader that writes
// their batch runs its `done` callback. When no writer is waiting to lead,
// the submitter leads at once if the group needs no fsync (LeadIfIdle);
// a group that does is left to the queue's own committer thread, so that an
// event loop or a log's commit thread never blocks in the table's fsync. A
// leader that finds only such batches queued after its own writes them too.
//
// Failure: when a group's write fails, every batch in it fails with that
// Status; RocksDB then refuses later writes too (background error), so no
// write built on a failed one can succeed.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/commit_gathering.h"
#include "common/status.h"

namespace rocksdb {
class DB;
class WriteBatch;
}

namespace table {

// Turns RocksDB's per-thread perf counters off for the calling thread (once
// per thread; cheap after that). Call before reading or writing RocksDB on a
// thread. RocksDB counts every key comparison in a thread-local perf context
// unless the thread's perf level says not to: at ~90 comparisons per
// memtable insert, the count alone was ~2 % of the order path's instructions.
void SkipRocksPerfCounters();

// One writer's operations, applied atomically and in order.
struct CommitBatch {
  struct Op {
    std::string key;
    std::optional<std::string> value;  // nullopt: delete
  };
  std::vector<Op> ops;
  // Encoded change records (change_feed.h), written under 'c' + be64(seq)
  // with sequence numbers given in commit order.
  std::vector<std::string> changes;
  // False: the writer is answered once the batch is written, before an
  // fsync (PutItemRequest::sync). A group is synced if any batch in it is.
  bool sync = true;
  // SubmitAsync: runs once the batch's group is written (synced if asked),
  // on the thread that wrote it, with the group's outcome.
  std::function<void(const common::Status&)> done;
  void Put(std::string key, std::string value) { ops.push_back({std::move(key), std::move(value)}); }
  void Delete(std::string key) { ops.push_back({std::move(key), std::nullopt}); }
};

class CommitQueue {
 public:
  // `next_change` is the sequence number of the next change record;
  // `on_changes` runs (on a writer's thread) after a group with change
  // records became durable. `gather_micros` (<= 0: never): how long a synced
  // group may wait under load for more batches (common::CommitGathering).
  CommitQueue(rocksdb::DB* db, bool sync, uint64_t next_change, std::function<void()> on_changes,
              int gather_micros = 0);
  // Writes what is still queued, then stops the committer thread.
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // Queues `batch` and returns its ticket. Cheap; call it while holding the
  // locks of the items the batch writes. Each ticket must be waited for
  // exactly once, except with `waited` false (bulk writers that wait only
  // for their last ticket).
  uint64_t Submit(CommitBatch batch, bool waited = true);
  // Blocks until the ticket's batch (and every earlier one) is durable (OK)
  // or its group failed; an unsynced batch only until it is written.
  common::Status Wait(uint64_t ticket);
  // Queues a batch whose writer does not wait: `batch.done` reports its
  // outcome. Its ticket is for the pending-value overlay only. Call
  // LeadIfIdle() afterwards, once what must be in place before the batch
  // can be written is.
  uint64_t SubmitAsync(CommitBatch batch);
  // Writes the queued batches when no writer is writing them or waiting to
  // (the batches of SubmitAsync have no writer of their own): on this thread
  // while they need no fsync, else on the committer thread.
  void LeadIfIdle();
  // The same for someone else's ticket (it is not consumed): a writer whose
  // condition failed on a queued value answers only once that value is
  // durable, so that a read after the answer sees it. 0 returns at once.
  common::Status WaitForOther(uint64_t ticket);
  // The same without blocking: `done` gets that outcome, at once when the
  // ticket's group is written already, else from the thread that writes an
  // empty batch queued behind it (never an fsync on the caller's thread).
  void WaitForOtherAsync(uint64_t ticket, std::function<void(const common::Status&)> done);

 private:
  // Writes one group: every batch queued now. REQUIRES: mu_ held through
  // `lock`, no group being written, a batch queued. Unlocks meanwhile.
  void LeadGroup(std::unique_lock<std::mutex>& lock);
  // Whether queued batches would wait for a leader that nobody will be.
  bool Orphaned() const;  // REQUIRES: mu_ held
  // Whether writing the queue now would fsync.
  bool SyncQueued() const;  // REQUIRES: mu_ held
  // The committer thread: leads orphaned groups that LeadIfIdle left to it.
  void CommitterLoop();

  rocksdb::DB* db_;
  const bool sync_;
  uint64_t next_change_;  // used by the leader only (one at a time)
  std::function<void()> on_changes_;

  std::mutex mu_;
  // Each waiter sleeps on its own condition variable, so a finished group
  // wakes only its own writers and the next leader (the lowest ticket still
  // waiting), not every thread waiting on the queue.
  std::map<uint64_t, std::condition_variable*> waiters_;  // guarded by mu_
  std::deque<CommitBatch> queue_;                // guarded by mu_; tickets done_+1 .. next_ticket_-1
  uint64_t next_ticket_ = 1;                     // guarded by mu_; ticket of the next Submit
  uint64_t done_ = 0;                            // guarded by mu_; every ticket <= done_ has an outcome
  bool leading_ = false;                         // guarded by mu_; a group is being written
  std::map<uint64_t, common::Status> failed_;    // guarded by mu_; outcomes that are not OK
  std::vector<uint64_t> unwaited_;               // guarded by mu_; queued tickets nobody waits for
  bool stopping_ = false;                        // guarded by mu_
  common::CommitGathering gathering_;            // guarded by mu_; waits under load
  std::condition_variable committer_cv_;         // LeadIfIdle left it a group, or stopping_
  std::thread committer_;                        // started last, in the constructor
};

}  // namespace table
