// ShardProcessor: the data plane of one event-source mapping on one shard.
// It reads records from its iterator, forms batches (BatchSize,
// MaximumBatchingWindowInSeconds), invokes the function, applies Lambda's
// error handling (retries, BisectBatchOnFunctionError, MaximumRecordAge,
// ReportBatchItemFailures, OnFailure destination) and checkpoints after each
// batch. It runs only as a Task on the runtime's Scheduler, so Step is never
// concurrent with itself; the counters are read from other threads.
//
// ParallelizationFactor N > 1: the processor only reads; it hands each
// record to one of N lanes by a hash of its partition key (so one key's
// records stay in order) and each lane, a ShardProcessor in lane mode with
// its own batch in flight, does the invoking and error handling above. The
// shard's checkpoint advances to the last record before the lowest one any
// lane has not finished, so a restart re-delivers at most one batch per lane.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "functions/checkpoint_store.h"
#include "functions/function.h"
#include "functions/mapping_config.h"
#include "functions/scheduler.h"
#include "stream/stream_client.h"

namespace functions {

// Why reading a mapping's source failed, as Lambda's LastProcessingResult
// words it when the execution role lacks the poller's permissions.
std::string ReadProblem(const common::Status& status, std::string_view what);

struct ShardStats {
  std::atomic<int64_t> invocations{0};
  std::atomic<int64_t> errors{0};
  std::atomic<int64_t> records_processed{0};
  std::atomic<int64_t> records_to_failure_destination{0};
  std::atomic<int64_t> millis_behind_latest{0};

  // Why the last read (else the last invocation) failed; "" once it succeeds.
  std::string Problem() const;
  void SetReadProblem(std::string problem) { Set(&read_problem_, std::move(problem)); }
  void SetInvokeProblem(std::string problem) { Set(&invoke_problem_, std::move(problem)); }

 private:
  // Cheap when nothing is wrong: no lock unless a problem is set.
  void Set(std::string* field, std::string problem);
  std::atomic<bool> has_problem_{false};
  mutable std::mutex problem_mu_;
  std::string read_problem_;    // guarded by problem_mu_
  std::string invoke_problem_;  // guarded by problem_mu_
};

class ShardProcessor final : public Task {
 public:
  struct Deps {
    stream::StreamClient* streams;
    CheckpointStore* checkpoints;
    std::shared_ptr<Function> function;
    std::function<void()> on_shard_end;  // a closed shard was read to its end
    Scheduler* scheduler = nullptr;      // REQUIRED when ParallelizationFactor > 1 (runs the lanes)
    SourceReadCheck read_check;          // may be empty: reads are not checked
  };

  // `start_millis`: where a shard without a checkpoint starts for LATEST
  // mappings (the mapping's creation time, so a restart skips nothing).
  // `is_child`: the shard has a parent, so it is read from its start.
  ShardProcessor(Deps deps, EventSourceMappingConfig config, std::string shard_id,
                 int64_t start_millis, bool is_child);
  ~ShardProcessor() override;  // removes its lanes from the scheduler

  int64_t Step() override;
  bool WakesWaitForTimer() const override { return gathering_; }

  const std::string& shard_id() const { return shard_id_; }
  bool finished() const { return finished_.load(); }
  const ShardStats& stats() const { return *stats_; }
  std::string checkpoint() const;

 private:
  common::Status Init();
  common::Status ResetIterator();
  common::Status CheckRead(std::string_view action) const;
  void ReadFailed(const common::Status& status, const char* what);
  // Reads until the buffer holds a batch or the shard has nothing more now.
  common::Status Fill();
  // Invokes the front batch; returns when to run next.
  int64_t ProcessFront();
  void Commit(size_t count);  // pops `count` processed records and checkpoints
  void SaveCheckpoint(const std::string& sequence_number);
  // Tumbling windows: how many front records belong to the open window (or
  // to the front record's window when none is open).
  size_t CountInWindow(size_t limit);
  int64_t WindowMillis() const { return int64_t{config_.tumbling_window_seconds} * 1000; }
  // Closes the open window with its final invocation when it has ended;
  // returns kIdle when there is nothing to do, else when to run next.
  std::optional<int64_t> MaybeCloseWindow();
  void SendToFailureDestination(size_t count, std::string_view condition, std::string_view error);
  int64_t RetryLater();

  // ParallelizationFactor > 1.
  ShardProcessor(ShardProcessor* reader, int lane);  // a lane of `reader`
  int64_t ReaderStep();           // reads and hands records to the lanes
  void FillFromLane();            // lane: takes queued records into buffer_
  void LaneDone(const std::vector<uint64_t>& indices);  // from a lane's Commit
  std::optional<std::string> AdvanceWatermark();  // the new checkpoint, if it moved
  size_t LaneOf(const std::string& partition_key) const;

  Deps deps_;
  const EventSourceMappingConfig config_;
  const std::string shard_id_;
  const int64_t start_millis_;
  const bool is_child_;

  bool initialized_ = false;
  std::string iterator_;           // "" once a closed shard was fully read
  bool at_shard_end_ = false;
  std::string last_read_sequence_; // for re-creating an expired iterator
  std::deque<stream::Record> buffer_;
  int64_t first_buffered_micros_ = 0;
  bool gathering_ = false;         // the last Step waits for the batching window
  size_t batch_limit_;             // shrinks while bisecting
  int attempt_ = 1;
  int64_t window_start_ = 0;  // open tumbling window, 0 = none
  std::string window_state_;
  std::atomic<bool> finished_{false};
  mutable std::mutex checkpoint_mu_;
  std::string checkpoint_;         // guarded by checkpoint_mu_
  ShardStats own_stats_;
  ShardStats* stats_ = &own_stats_;  // a lane counts into its reader's

  // Reader with lanes (ParallelizationFactor > 1).
  struct InFlight {
    std::string sequence_number;
    bool done = false;
  };
  struct Queued {
    stream::Record record;
    uint64_t index;  // position in the reader's in_flight_ sequence
  };
  std::vector<std::unique_ptr<ShardProcessor>> lanes_;
  std::mutex lanes_mu_;
  std::deque<InFlight> in_flight_;  // guarded by lanes_mu_: handed out, in sequence order
  uint64_t in_flight_base_ = 0;     // guarded by lanes_mu_: index of in_flight_.front()
  uint64_t next_index_ = 0;         // only touched by the reader's Step
  // Lane mode.
  ShardProcessor* reader_ = nullptr;
  int lane_ = -1;
  std::deque<Queued> queue_;        // guarded by reader_->lanes_mu_
  bool reader_at_end_ = false;      // guarded by reader_->lanes_mu_
  std::deque<uint64_t> buffer_index_;  // lane: the in_flight_ index of each buffer_ record
};

}  // namespace functions
