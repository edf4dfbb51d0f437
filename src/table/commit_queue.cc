#include "table/commit_queue.h"

#include <algorithm>

#include <rocksdb/db.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/write_batch.h>

#include "common/thread_name.h"
#include "table/table_schema.h"

namespace table {

void SkipRocksPerfCounters() {
  thread_local const bool skipped = (rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable), true);
  (void)skipped;
}

// An order makes ~3 batches (its key and row, its share of the processor's
// transactions, the outbox, checkpoints): from 6 per wait (~6,000/s with
// 1 ms, ~2,000 orders/s) the waits pay. At 1,000 orders/s none wait.
constexpr double kMinBatchesToGather = 6;

CommitQueue::CommitQueue(rocksdb::DB* db, bool sync, uint64_t next_change, std::function<void()> on_changes,
                         int gather_micros)
    : db_(db),
      sync_(sync),
      next_change_(next_change),
      on_changes_(std::move(on_changes)),
      gathering_(std::chrono::microseconds(gather_micros), kMinBatchesToGather) {
  committer_ = std::thread([this] {
    common::NameThisThread("table-commit");
    CommitterLoop();
  });
}

CommitQueue::~CommitQueue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  committer_cv_.notify_one();
  committer_.join();
}

void CommitQueue::CommitterLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    committer_cv_.wait(lock, [this] { return stopping_ || Orphaned(); });
    while (Orphaned()) LeadGroup(lock);
    if (stopping_) return;
  }
}

uint64_t CommitQueue::Submit(CommitBatch batch, bool waited) {
  std::lock_guard lock(mu_);
  gathering_.Arrived(static_cast<int64_t>(batch.ops.size() + batch.changes.size()));
  queue_.push_back(std::move(batch));
  if (!waited) unwaited_.push_back(next_ticket_);
  return next_ticket_++;
}

common::Status CommitQueue::WaitForOther(uint64_t ticket) {
  if (ticket == 0) return common::Status::OK();
  // Lead if need be, through an empty batch of our own queued after `ticket`.
  {
    std::lock_guard lock(mu_);
    if (done_ >= ticket) {
      auto it = failed_.find(ticket);
      return it == failed_.end() ? common::Status::OK() : it->second;
    }
  }
  common::Status own = Wait(Submit(CommitBatch()));
  std::lock_guard lock(mu_);
  auto it = failed_.find(ticket);
  if (it != failed_.end()) return it->second;
  return own;
}

void CommitQueue::WaitForOtherAsync(uint64_t ticket, std::function<void(const common::Status&)> done) {
  common::Status settled;
  {
    std::lock_guard lock(mu_);
    if (done_ < ticket) {
      CommitBatch behind;
      behind.done = std::move(done);
      queue_.push_back(std::move(behind));
      unwaited_.push_back(next_ticket_++);
    } else if (auto it = failed_.find(ticket); it != failed_.end()) {
      settled = it->second;
    }
  }
  if (done) return done(settled);  // written already (or ticket 0)
  LeadIfIdle();
}

uint64_t CommitQueue::SubmitAsync(CommitBatch batch) {
  return Submit(std::move(batch), /*waited=*/false);
}

bool CommitQueue::Orphaned() const {
  // A waiter with a ticket past done_ leads the next group when woken.
  return !leading_ && !queue_.empty() && waiters_.upper_bound(done_) == waiters_.end();
}

bool CommitQueue::SyncQueued() const {
  return sync_ && std::any_of(queue_.begin(), queue_.end(), [](const CommitBatch& b) { return b.sync; });
}

void CommitQueue::LeadIfIdle() {
  std::unique_lock lock(mu_);
  while (Orphaned() && !SyncQueued()) LeadGroup(lock);
  if (Orphaned()) committer_cv_.notify_one();
}

common::Status CommitQueue::Wait(uint64_t ticket) {
  std::unique_lock lock(mu_);
  std::condition_variable woken;
  waiters_[ticket] = &woken;
  while (done_ < ticket) {
    if (leading_) {
      woken.wait(lock);
      continue;
    }
    LeadGroup(lock);
  }
  waiters_.erase(ticket);
  // Asynchronous batches queued meanwhile may have no one else to write them.
  while (Orphaned()) LeadGroup(lock);
  auto it = failed_.find(ticket);
  if (it == failed_.end()) return common::Status::OK();
  common::Status status = it->second;
  failed_.erase(it);
  return status;
}

void CommitQueue::LeadGroup(std::unique_lock<std::mutex>& lock) {
  leading_ = true;
  if (SyncQueued()) gathering_.Gather(lock);  // under load, more batches share the fsync
  // Everything queued now: tickets done_+1 .. next_ticket_-1.
  std::deque<CommitBatch> group;
  group.swap(queue_);
  const uint64_t first = done_ + 1;
  const uint64_t last = done_ + group.size();
  lock.unlock();

  rocksdb::WriteBatch batch;
  bool changes = false;
  bool sync = false;
  for (auto& b : group) {
    sync |= b.sync;
    for (auto& op : b.ops) {
      if (op.value) {
        batch.Put(op.key, *op.value);
      } else {
        batch.Delete(op.key);
      }
    }
    for (auto& change : b.changes) {
      batch.Put(ChangeKey(next_change_++), change);  // a failed group leaves a gap; order holds
      changes = true;
    }
  }
  SkipRocksPerfCounters();
  rocksdb::WriteOptions options;
  options.sync = sync_ && sync;
  // A group of only empty batches (WaitForOther's) has nothing to write but
  // must still make the earlier, possibly unsynced, groups durable.
  rocksdb::Status s = batch.Count() > 0 ? db_->Write(options, &batch)
                      : options.sync     ? db_->SyncWAL()
                                         : rocksdb::Status::OK();
  if (s.ok() && changes && on_changes_) on_changes_();
  common::Status outcome = s.ok() ? common::Status::OK() : common::Status::IOError("write: " + s.ToString());

  lock.lock();
  if (!s.ok()) {
    for (uint64_t t = first; t <= last; ++t) {
      if (std::find(unwaited_.begin(), unwaited_.end(), t) == unwaited_.end()) failed_.emplace(t, outcome);
    }
  }
  // Unwaited tickets of this group are settled.
  std::erase_if(unwaited_, [&](uint64_t t) { return t <= last; });
  done_ = last;
  leading_ = false;
  auto next = waiters_.upper_bound(last);
  for (auto it = waiters_.begin(); it != next; ++it) it->second->notify_one();
  if (next != waiters_.end()) next->second->notify_one();  // it leads the next group
  bool callbacks = std::any_of(group.begin(), group.end(), [](const CommitBatch& b) { return b.done != nullptr; });
  if (!callbacks) return;
  lock.unlock();
  for (auto& b : group) {
    if (b.done) b.done(outcome);
  }
  lock.lock();
}

}  // namespace table
