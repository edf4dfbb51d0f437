// Log: one shard's durable, append-only record log: a folder of segment files
// (docs/formats/log.md) plus an in-memory sparse index for seeking by offset
// and by arrival time.
//
// Lifecycle: Open() recovers the folder: every segment is scanned; a torn or
// corrupt tail of the LAST segment is truncated at the last valid frame and
// logged (it can only hold unacknowledged writes); damage in an earlier,
// sealed segment fails Open with Corruption rather than silently dropping
// acknowledged records. Appends become visible to readers only once durable
// according to the Committer's SyncMode. Close() waits for pending appends.
//
// Thread safety: all methods are thread-safe. Appends are cheap (encode and
// queue); the Committer does the I/O, or a caller that waits for its append
// anyway (AppendLeading). One commit runs at a time, whoever runs it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/commit_gathering.h"
#include "common/status.h"
#include "log/committer.h"

namespace logs {

using common::Result;
using common::Status;

struct LogOptions {
  std::string dir;                          // created if missing
  int64_t segment_bytes = 64 << 20;         // seal the active segment beyond this
  int64_t segment_max_age_ms = 3'600'000;   // ... or when its first record is older
  uint32_t index_interval_bytes = 4096;     // one sparse-index entry per this many bytes
  // The active segment's file is extended (fallocate) this far ahead of its
  // records, so that an fsync seldom has a new file size to persist: on
  // ext4 that makes fdatasync ~35% faster and its p99 ~3x lower. Recovery
  // reads the zeroed space after the last record as free, not as damage.
  // 0: the file grows with each write.
  int64_t preallocate_bytes = 1 << 20;
  common::Clock* clock = nullptr;           // not owned; required
  Committer* committer = nullptr;           // not owned; required; outlives the Log
};

struct LogEntry {
  std::string_view key;
  std::string_view value;
};

struct LogRecord {
  uint64_t offset = 0;
  int64_t timestamp = 0;
  std::string key;
  std::string value;
};

struct RecoveryReport {
  int segments = 0;
  uint64_t records = 0;
  uint64_t truncated_bytes = 0;  // torn/corrupt tail removed from the last segment
  std::string problem;           // "" when the log was clean
};

class Log : public std::enable_shared_from_this<Log> {
 public:
  // IOError: the folder or a file cannot be read or created. Corruption: a
  // sealed segment is damaged (the message names file and byte).
  static Result<std::shared_ptr<Log>> Open(const LogOptions& options);
  ~Log();

  // Called with the outcome once the entries are durable (or failed). The
  // entries got offsets first_offset, first_offset + 1, ... and one shared
  // arrival time. Runs on the committing thread: keep it short.
  using AppendCallback = std::function<void(Status, uint64_t first_offset, int64_t timestamp)>;
  // Assigns offsets and the arrival time now (so order is the call order),
  // encodes the frames and queues them for the next group commit.
  // REQUIRES: entries is not empty; the log is not closed.
  void Append(const std::vector<LogEntry>& entries, AppendCallback done);
  // Append for a caller that will wait for `done` on its own thread: when no
  // commit is queued or running (and the mode syncs), it returns true and
  // the caller must call Lead(), outside its own locks, to commit on its
  // thread. That saves waking a commit thread and being woken back by it,
  // two thread switches per commit. Otherwise it is Append and returns false.
  bool AppendLeading(const std::vector<LogEntry>& entries, AppendCallback done);
  // Commits what is pending on this thread (callbacks included) and hands
  // what arrives meanwhile to the commit thread. Only after AppendLeading
  // returned true.
  void Lead();

  // Called after each durable batch (for subscriptions). Set once, before use.
  void SetCommitListener(std::function<void()> listener);

  // Up to max_records records with offset >= from (and at least one record if
  // any, even over max_bytes), only durable ones. Corruption/IOError on a
  // damaged or unreadable file.
  Result<std::vector<LogRecord>> Read(uint64_t from, size_t max_records, size_t max_bytes);
  // The offset of the first durable record with timestamp >= t, or
  // end_offset() when there is none.
  uint64_t SeekTimestamp(int64_t t);
  // First offset still on disk (all records below it were deleted).
  uint64_t start_offset();
  // One past the last durable record.
  uint64_t end_offset();
  // One past the last record handed to Append (durable or not).
  uint64_t next_offset();
  // Arrival time of the last durable record; 0 if none.
  int64_t last_timestamp();
  int64_t size_bytes();
  const RecoveryReport& recovery() const { return recovery_; }

  // Deletes whole sealed segments (never the active one) whose newest record
  // is older than min_timestamp, then the oldest sealed ones while the log is
  // larger than max_bytes (0 = no limit). Returns how many were deleted.
  Result<int> EnforceRetention(int64_t min_timestamp, int64_t max_bytes);

  // Waits until every queued append has been committed and its callback run.
  void Flush();

  // Commit-thread entry points (Committer and Lead only).
  // Writes and syncs what is pending; returns true if more arrived meanwhile.
  bool CommitPending(SyncMode mode);
  // kInterval: fdatasync if something was written since the last sync.
  void SyncIfDirty();
  // The commit thread this log was given when it was opened.
  size_t commit_thread() const { return commit_thread_; }

 private:
  struct Segment;
  struct Pending {
    AppendCallback done;
    uint64_t first_offset;
    int64_t timestamp;
  };
  struct IndexEntry {
    uint64_t offset;
    int64_t timestamp;
    uint64_t position;
  };

  explicit Log(const LogOptions& options);
  Status Recover();
  // Encodes the entries into the pending batch; returns true when no commit
  // was queued or running (the caller now owns scheduled_). REQUIRES: mu_ held.
  bool QueueLocked(const std::vector<LogEntry>& entries, AppendCallback done);
  Status RollSegment(uint64_t base_offset);  // REQUIRES: called by the committing thread
  // Extends the segment's file ahead of `needed` bytes (preallocate_bytes).
  void Preallocate(Segment& segment, uint64_t needed, SyncMode mode);  // REQUIRES: called by the committing thread
  std::shared_ptr<Segment> FindSegment(uint64_t offset);  // REQUIRES: mu_ held

  const LogOptions options_;
  const size_t commit_thread_;
  RecoveryReport recovery_;
  std::function<void()> listener_;

  std::mutex mu_;
  std::condition_variable flushed_cv_;
  std::vector<std::shared_ptr<Segment>> segments_;  // guarded by mu_; sorted, last = active
  std::string pending_frames_;                      // guarded by mu_
  std::vector<IndexEntry> pending_index_;           // guarded by mu_; positions relative
  std::vector<Pending> pending_;                    // guarded by mu_
  bool scheduled_ = false;                          // guarded by mu_: queued or committing
  uint64_t next_offset_ = 0;                        // guarded by mu_
  uint64_t end_offset_ = 0;                         // guarded by mu_
  int64_t last_assigned_timestamp_ = 0;             // guarded by mu_
  int64_t last_timestamp_ = 0;                      // guarded by mu_
  bool dirty_ = false;                              // guarded by mu_: written, not synced
  common::CommitGathering gathering_;               // guarded by mu_; waits under load
};

}  // namespace logs
