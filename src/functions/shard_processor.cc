#include "functions/shard_processor.h"

#include <algorithm>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/fnv1a.h"

namespace functions {
namespace {

constexpr int64_t kErrorBackoffMicros = 1'000'000;   // after a read or checkpoint error
// While a batching window is open, how often the processor reads whether a
// full batch has arrived meanwhile (which Lambda invokes at once).
constexpr int64_t kGatherCheckMicros = 1'000'000;
constexpr int64_t kRetryBaseMicros = 10'000;          // first retry of a failed batch
constexpr int64_t kRetryMaxMicros = 2'000'000;
// A window is closed this long after its end by the wall clock, so records
// stamped just before the end but made durable just after it still count.
constexpr int64_t kWindowGraceMillis = 100;

}  // namespace

std::string ReadProblem(const common::Status& status, std::string_view what) {
  if (status.code() == common::Status::Code::kPermissionDenied) {
    return "Function execution role does not have permissions to read the stream: " + status.message();
  }
  return std::string(what) + ": " + status.ToString();
}

std::string ShardStats::Problem() const {
  if (!has_problem_.load(std::memory_order_acquire)) return "";
  std::lock_guard lock(problem_mu_);
  return read_problem_.empty() ? invoke_problem_ : read_problem_;
}

void ShardStats::Set(std::string* field, std::string problem) {
  if (problem.empty() && !has_problem_.load(std::memory_order_acquire)) return;
  std::lock_guard lock(problem_mu_);
  *field = std::move(problem);
  has_problem_.store(!read_problem_.empty() || !invoke_problem_.empty(), std::memory_order_release);
}

ShardProcessor::ShardProcessor(Deps deps, EventSourceMappingConfig config, std::string shard_id,
                               int64_t start_millis, bool is_child)
    : deps_(std::move(deps)),
      config_(std::move(config)),
      shard_id_(std::move(shard_id)),
      start_millis_(start_millis),
      is_child_(is_child),
      batch_limit_(static_cast<size_t>(config_.batch_size)) {}

ShardProcessor::ShardProcessor(ShardProcessor* reader, int lane)
    : deps_(reader->deps_),
      config_(reader->config_),
      shard_id_(reader->shard_id_),
      start_millis_(reader->start_millis_),
      is_child_(reader->is_child_),
      initialized_(true),
      batch_limit_(static_cast<size_t>(config_.batch_size)),
      stats_(reader->stats_),
      reader_(reader),
      lane_(lane) {}

ShardProcessor::~ShardProcessor() {
  for (auto& lane : lanes_) deps_.scheduler->Remove(lane.get());
}

std::string ShardProcessor::checkpoint() const {
  std::lock_guard lock(checkpoint_mu_);
  return checkpoint_;
}

common::Status ShardProcessor::Init() {
  std::optional<Checkpoint> saved;
  if (config_.persist_checkpoints) {
    ASSIGN_OR_RETURN(saved, deps_.checkpoints->Load(config_.id, shard_id_));
  }
  if (saved && saved->shard_finished) {
    finished_ = true;
    return common::Status::OK();
  }
  if (saved) {
    window_start_ = saved->window_start_millis;
    window_state_ = saved->window_state;
  }
  if (saved && !saved->sequence_number.empty()) {
    last_read_sequence_ = saved->sequence_number;
    std::lock_guard lock(checkpoint_mu_);
    checkpoint_ = saved->sequence_number;
  }
  return ResetIterator();
}

common::Status ShardProcessor::ResetIterator() {
  stream::IteratorRequest request;
  request.stream_name = config_.stream_name;
  request.shard_id = shard_id_;
  if (!last_read_sequence_.empty()) {
    request.type = stream::IteratorType::kAfterSequenceNumber;
    request.sequence_number = last_read_sequence_;
  } else if (is_child_ || config_.starting_position == StartingPosition::kTrimHorizon) {
    request.type = stream::IteratorType::kTrimHorizon;
  } else {
    // LATEST is pinned to the mapping's creation time so that records written
    // while Rivulet was down are not skipped on restart.
    request.type = stream::IteratorType::kAtTimestamp;
    request.timestamp_millis = config_.starting_position == StartingPosition::kAtTimestamp
                                   ? config_.starting_position_timestamp_millis
                                   : start_millis_;
  }
  RETURN_IF_ERROR(CheckRead("kinesis:GetShardIterator"));
  ASSIGN_OR_RETURN(iterator_, deps_.streams->GetShardIterator(request));
  return common::Status::OK();
}

common::Status ShardProcessor::CheckRead(std::string_view action) const {
  return deps_.read_check ? deps_.read_check(action, config_.stream_name) : common::Status::OK();
}

void ShardProcessor::ReadFailed(const common::Status& status, const char* what) {
  spdlog::warn("mapping {} shard {}: {}: {}", config_.id, shard_id_, what, status.ToString());
  stats_->SetReadProblem(ReadProblem(status, what));
}

common::Status ShardProcessor::Fill() {
  if (reader_ != nullptr) {
    FillFromLane();
    return common::Status::OK();
  }
  // Records already buffered were read; refill only past them.
  while (buffer_.size() < batch_limit_ && !at_shard_end_) {
    int want = static_cast<int>(std::max<size_t>(batch_limit_ - buffer_.size(), 1));
    RETURN_IF_ERROR(CheckRead("kinesis:GetRecords"));  // one check per read call, cached by the checker
    auto result = deps_.streams->GetRecords(iterator_, std::min(want, 10000));
    if (!result.ok()) {
      if (result.status().code() != common::Status::Code::kExpired) return result.status();
      RETURN_IF_ERROR(ResetIterator());
      continue;
    }
    stats_->millis_behind_latest = result->millis_behind_latest;
    if (!result->records.empty()) {
      if (buffer_.empty()) first_buffered_micros_ = Scheduler::NowMicros();
      last_read_sequence_ = result->records.back().sequence_number;
      for (auto& r : result->records) buffer_.push_back(std::move(r));
    }
    if (result->next_shard_iterator.empty()) {
      at_shard_end_ = true;
      break;
    }
    iterator_ = std::move(result->next_shard_iterator);
    if (result->records.empty()) break;  // caught up
  }
  return common::Status::OK();
}

int64_t ShardProcessor::Step() {
  gathering_ = false;
  if (finished_) return kIdle;
  if (!initialized_) {
    if (auto s = Init(); !s.ok()) {
      ReadFailed(s, "cannot start");
      return Scheduler::NowMicros() + kErrorBackoffMicros;
    }
    stats_->SetReadProblem("");
    initialized_ = true;
    if (finished_) return kIdle;
    if (config_.parallelization_factor > 1) {
      for (int i = 0; i < config_.parallelization_factor; ++i) {
        lanes_.push_back(std::unique_ptr<ShardProcessor>(new ShardProcessor(this, i)));
      }
      for (auto& lane : lanes_) deps_.scheduler->Add(lane.get());
    }
  }
  if (!lanes_.empty()) return ReaderStep();
  if (auto s = Fill(); !s.ok()) {
    ReadFailed(s, "read failed");
    return Scheduler::NowMicros() + kErrorBackoffMicros;
  }
  if (reader_ == nullptr) stats_->SetReadProblem("");  // a lane's reader reads for it
  if (WindowMillis() > 0) {
    if (std::optional<int64_t> next = MaybeCloseWindow()) return *next;
  }
  if (buffer_.empty()) {
    // The stream subscription (or, for a lane, its reader) wakes us.
    if (!at_shard_end_ || reader_ != nullptr) return kIdle;
    Checkpoint done{checkpoint(), true, 0, ""};
    if (auto s = config_.persist_checkpoints ? deps_.checkpoints->Save(config_.id, shard_id_, done)
                                             : common::Status::OK();
        !s.ok()) {
      spdlog::warn("mapping {} shard {}: checkpoint failed: {}", config_.id, shard_id_, s.ToString());
      return Scheduler::NowMicros() + kErrorBackoffMicros;
    }
    finished_ = true;
    if (deps_.on_shard_end) deps_.on_shard_end();
    return kIdle;
  }
  // Wait for a full batch until the batching window closes; a batch cut
  // short by a tumbling window's end is complete already.
  int64_t batching_end = first_buffered_micros_ + int64_t{config_.maximum_batching_window_ms} * 1000;
  bool cut_by_window = CountInWindow(batch_limit_) < std::min(batch_limit_, buffer_.size());
  if (buffer_.size() < batch_limit_ && !cut_by_window && !at_shard_end_ &&
      Scheduler::NowMicros() < batching_end) {
    // Records arriving meanwhile are read once a second, not each waking
    // this processor (see README.md); a batch full by then goes at once.
    // When they were read only as the window closed, the archiver's minute
    // of records at 4,000 orders/s came as dozens of batches back to back
    // and took the cores from every other function (bench/orders).
    gathering_ = true;
    return std::min(batching_end, Scheduler::NowMicros() + kGatherCheckMicros);
  }
  return ProcessFront();
}

size_t ShardProcessor::CountInWindow(size_t limit) {
  size_t count = std::min(limit, buffer_.size());
  if (WindowMillis() == 0 || count == 0) return count;
  int64_t start = window_start_ != 0 ? window_start_
                                     : buffer_.front().arrival_millis / WindowMillis() * WindowMillis();
  int64_t end = start + WindowMillis();
  size_t n = 0;
  while (n < count && buffer_[n].arrival_millis < end) ++n;
  return n;
}

std::optional<int64_t> ShardProcessor::MaybeCloseWindow() {
  if (window_start_ == 0) return std::nullopt;
  int64_t end = window_start_ + WindowMillis();
  int64_t now = common::SystemClock::Default()->NowMillis();
  bool next_window_started = !buffer_.empty() && buffer_.front().arrival_millis >= end;
  if (!next_window_started) {
    if (!buffer_.empty()) return std::nullopt;  // records of this window wait
    if (now < end + kWindowGraceMillis) {
      return Scheduler::NowMicros() + (end + kWindowGraceMillis - now) * 1000;
    }
  }
  InvocationContext context{config_.function_name, config_.id, attempt_,
                            WindowContext{window_start_, end, window_state_, true}};
  ++stats_->invocations;
  InvocationResult result = deps_.function->Invoke(Batch{config_.stream_name, shard_id_, {}}, context);
  if (result.kind != InvocationResult::Kind::kSuccess) {
    ++stats_->errors;
    if (config_.maximum_retry_attempts < 0 || attempt_ <= config_.maximum_retry_attempts) return RetryLater();
    spdlog::warn("mapping {} shard {}: final invocation of window {} given up: {}", config_.id, shard_id_,
                 window_start_, result.error);
  }
  attempt_ = 1;
  window_start_ = 0;
  window_state_.clear();
  SaveCheckpoint(checkpoint());
  return Scheduler::NowMicros();
}

int64_t ShardProcessor::ProcessFront() {
  // Records past MaximumRecordAge are not invoked; they go to the destination.
  if (config_.maximum_record_age_seconds > 0) {
    int64_t oldest_allowed =
        common::SystemClock::Default()->NowMillis() - int64_t{config_.maximum_record_age_seconds} * 1000;
    size_t expired = 0;
    while (expired < buffer_.size() && buffer_[expired].arrival_millis < oldest_allowed) ++expired;
    if (expired > 0) {
      SendToFailureDestination(expired, "RecordAgeExceeded", "record is older than MaximumRecordAgeInSeconds");
      Commit(expired);
      return buffer_.empty() ? kIdle : Scheduler::NowMicros();
    }
  }

  size_t count = CountInWindow(batch_limit_);
  Batch batch{config_.stream_name, shard_id_, {buffer_.begin(), buffer_.begin() + count}};
  InvocationContext context{config_.function_name, config_.id, attempt_, std::nullopt};
  if (WindowMillis() > 0) {
    int64_t start = window_start_ != 0 ? window_start_
                                       : batch.records.front().arrival_millis / WindowMillis() * WindowMillis();
    context.window = WindowContext{start, start + WindowMillis(), window_state_, false};
  }
  ++stats_->invocations;
  InvocationResult result = deps_.function->Invoke(batch, context);

  if (result.kind == InvocationResult::Kind::kPartialFailure && config_.report_batch_item_failures) {
    std::unordered_set<std::string> failed(result.failed_sequence_numbers.begin(),
                                           result.failed_sequence_numbers.end());
    size_t first_failed = count;
    for (size_t i = 0; i < count; ++i) {
      if (failed.count(batch.records[i].sequence_number)) {
        first_failed = i;
        break;
      }
    }
    if (failed.empty() || first_failed == count) {
      // An empty list means success; unknown identifiers fail the whole batch, as in Lambda.
      if (failed.empty()) result = InvocationResult::Success();
      else result = InvocationResult::Failure("batchItemFailures names records outside the batch");
    } else if (first_failed > 0) {
      ++stats_->errors;
      Commit(first_failed);  // resume from the lowest failed record
      return RetryLater();
    } else {
      result = InvocationResult::Failure("the first record of the batch failed");
    }
  } else if (result.kind == InvocationResult::Kind::kPartialFailure) {
    result = InvocationResult::Failure("function reported item failures but ReportBatchItemFailures is off");
  }

  if (result.kind == InvocationResult::Kind::kSuccess) {
    stats_->records_processed += static_cast<int64_t>(count);
    stats_->SetInvokeProblem("");
    if (context.window) {
      window_start_ = context.window->start_millis;
      window_state_ = std::move(result.window_state);
    }
    Commit(count);
    attempt_ = 1;
    // A bisected half succeeded: go on with the full size again.
    batch_limit_ = static_cast<size_t>(config_.batch_size);
    return Scheduler::NowMicros();
  }

  ++stats_->errors;
  spdlog::debug("mapping {} shard {}: invocation failed (attempt {}): {}", config_.id, shard_id_,
                attempt_, result.error);
  stats_->SetInvokeProblem("Function call failed: " + result.error);
  if (config_.bisect_batch_on_function_error && count > 1) {
    // Bisecting does not count against MaximumRetryAttempts (as in Lambda).
    batch_limit_ = count / 2;
    return Scheduler::NowMicros();
  }
  if (config_.maximum_retry_attempts >= 0 && attempt_ > config_.maximum_retry_attempts) {
    SendToFailureDestination(count, "RetryAttemptsExhausted", result.error);
    Commit(count);
    attempt_ = 1;
    batch_limit_ = static_cast<size_t>(config_.batch_size);
    return Scheduler::NowMicros();
  }
  return RetryLater();
}

int64_t ShardProcessor::RetryLater() {
  int64_t delay = std::min(kRetryMaxMicros, kRetryBaseMicros << std::min(attempt_ - 1, 10));
  ++attempt_;
  return Scheduler::NowMicros() + delay;
}

void ShardProcessor::Commit(size_t count) {
  std::string sequence = buffer_[count - 1].sequence_number;
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(count));
  if (!buffer_.empty()) first_buffered_micros_ = Scheduler::NowMicros();
  if (reader_ != nullptr) {
    std::vector<uint64_t> done(buffer_index_.begin(), buffer_index_.begin() + static_cast<std::ptrdiff_t>(count));
    buffer_index_.erase(buffer_index_.begin(), buffer_index_.begin() + static_cast<std::ptrdiff_t>(count));
    reader_->LaneDone(done);
    return;
  }
  SaveCheckpoint(sequence);
}

// --- ParallelizationFactor > 1 ---

size_t ShardProcessor::LaneOf(const std::string& partition_key) const {
  // Any stable hash keeps one key in one lane.
  return static_cast<size_t>(common::Fnv1a(partition_key) % lanes_.size());
}

int64_t ShardProcessor::ReaderStep() {
  if (std::optional<std::string> watermark = AdvanceWatermark()) SaveCheckpoint(*watermark);
  // Backpressure: read only while the lanes hold less than two batches each.
  size_t limit = lanes_.size() * static_cast<size_t>(config_.batch_size) * 2;
  size_t handed;
  {
    std::lock_guard lock(lanes_mu_);
    handed = in_flight_.size();
  }
  if (handed < limit) {
    batch_limit_ = limit - handed;
    if (auto s = Fill(); !s.ok()) {
      ReadFailed(s, "read failed");
      return Scheduler::NowMicros() + kErrorBackoffMicros;
    }
    stats_->SetReadProblem("");
  }
  std::vector<bool> woken(lanes_.size(), false);
  bool all_done;
  {
    std::lock_guard lock(lanes_mu_);
    for (auto& record : buffer_) {
      size_t lane = LaneOf(record.partition_key);
      in_flight_.push_back({record.sequence_number, false});
      lanes_[lane]->queue_.push_back({std::move(record), next_index_++});
      woken[lane] = true;
    }
    if (at_shard_end_) {
      for (auto& lane : lanes_) lane->reader_at_end_ = true;
      std::fill(woken.begin(), woken.end(), true);
    }
    all_done = in_flight_.empty();
  }
  buffer_.clear();
  for (size_t i = 0; i < lanes_.size(); ++i) {
    if (woken[i]) deps_.scheduler->Wake(lanes_[i].get());
  }
  if (!at_shard_end_ || !all_done) return kIdle;  // new records or a lane's progress wake us
  Checkpoint done{checkpoint(), true, 0, ""};
  if (auto s = config_.persist_checkpoints ? deps_.checkpoints->Save(config_.id, shard_id_, done)
                                           : common::Status::OK();
      !s.ok()) {
    spdlog::warn("mapping {} shard {}: checkpoint failed: {}", config_.id, shard_id_, s.ToString());
    return Scheduler::NowMicros() + kErrorBackoffMicros;
  }
  finished_ = true;
  if (deps_.on_shard_end) deps_.on_shard_end();
  return kIdle;
}

std::optional<std::string> ShardProcessor::AdvanceWatermark() {
  std::lock_guard lock(lanes_mu_);
  std::optional<std::string> last;
  while (!in_flight_.empty() && in_flight_.front().done) {
    last = std::move(in_flight_.front().sequence_number);
    in_flight_.pop_front();
    ++in_flight_base_;
  }
  return last;
}

void ShardProcessor::FillFromLane() {
  std::lock_guard lock(reader_->lanes_mu_);
  while (buffer_.size() < batch_limit_ && !queue_.empty()) {
    if (buffer_.empty()) first_buffered_micros_ = Scheduler::NowMicros();
    buffer_.push_back(std::move(queue_.front().record));
    buffer_index_.push_back(queue_.front().index);
    queue_.pop_front();
  }
  // Nothing more will come: flush what is buffered without waiting for the window.
  at_shard_end_ = reader_at_end_ && queue_.empty();
}

void ShardProcessor::LaneDone(const std::vector<uint64_t>& indices) {
  {
    std::lock_guard lock(lanes_mu_);
    for (uint64_t index : indices) in_flight_[index - in_flight_base_].done = true;
  }
  deps_.scheduler->Wake(this);
}

void ShardProcessor::SaveCheckpoint(const std::string& sequence) {
  {
    std::lock_guard lock(checkpoint_mu_);
    checkpoint_ = sequence;
  }
  if (!config_.persist_checkpoints) return;
  Checkpoint checkpoint{sequence, false, window_start_, window_state_};
  if (auto s = deps_.checkpoints->Save(config_.id, shard_id_, checkpoint); !s.ok()) {
    // The effect happened; a restart re-delivers from the older checkpoint
    // (at least once). The next successful Save catches up.
    spdlog::warn("mapping {} shard {}: checkpoint failed: {}", config_.id, shard_id_, s.ToString());
  }
}

void ShardProcessor::SendToFailureDestination(size_t count, std::string_view condition,
                                              std::string_view error) {
  stats_->records_to_failure_destination += static_cast<int64_t>(count);
  const stream::Record& first = buffer_.front();
  const stream::Record& last = buffer_[count - 1];
  spdlog::warn("mapping {} shard {}: {} records {}..{} given up ({}): {}", config_.id, shard_id_, count,
               first.sequence_number, last.sequence_number, condition, error);
  if (config_.on_failure_stream.empty()) return;
  // The shape of Lambda's OnFailure record for stream sources.
  nlohmann::json info = {
      {"requestContext",
       {{"functionName", config_.function_name},
        {"mappingId", config_.id},
        {"condition", condition},
        {"approximateInvokeCount", attempt_}}},
      {"responseContext", {{"functionError", error}}},
      {"version", "1.0"},
      {"timestamp", common::SystemClock::Default()->NowMillis()},
      {"KinesisBatchInfo",
       {{"shardId", shard_id_},
        {"startSequenceNumber", first.sequence_number},
        {"endSequenceNumber", last.sequence_number},
        {"approximateArrivalOfFirstRecord", first.arrival_millis},
        {"approximateArrivalOfLastRecord", last.arrival_millis},
        {"batchSize", count},
        {"streamName", config_.stream_name}}}};
  auto put = deps_.streams->PutRecord(config_.on_failure_stream,
                                      stream::PutEntry{shard_id_, std::nullopt, info.dump()});
  if (!put.ok()) {
    spdlog::error("mapping {}: cannot write to failure destination {}: {}", config_.id,
                  config_.on_failure_stream, put.status().ToString());
  }
}

}  // namespace functions
