#include "functions/mapping_config.h"

#include <fmt/format.h>

namespace functions {
namespace {

common::Status OutOfRange(std::string_view name, int64_t value, std::string_view range) {
  return common::Status::InvalidArgument(
      fmt::format("{} is {}; it must be {}", name, value, range));
}

}  // namespace

common::Status Validate(const EventSourceMappingConfig& c) {
  if (c.function_name.empty()) return common::Status::InvalidArgument("FunctionName is required");
  if (c.stream_name.empty()) return common::Status::InvalidArgument("EventSourceArn (stream) is required");
  if (c.batch_size < 1 || c.batch_size > 10000) return OutOfRange("BatchSize", c.batch_size, "1..10000");
  if (c.maximum_batching_window_ms < 0 || c.maximum_batching_window_ms > 300'000) {
    return OutOfRange("MaximumBatchingWindowInSeconds", c.maximum_batching_window_ms / 1000, "0..300");
  }
  if (c.maximum_retry_attempts < -1 || c.maximum_retry_attempts > 10000) {
    return OutOfRange("MaximumRetryAttempts", c.maximum_retry_attempts, "-1..10000");
  }
  if (c.maximum_record_age_seconds != -1 &&
      (c.maximum_record_age_seconds < 60 || c.maximum_record_age_seconds > 604800)) {
    return OutOfRange("MaximumRecordAgeInSeconds", c.maximum_record_age_seconds, "-1 or 60..604800");
  }
  if (c.parallelization_factor < 1 || c.parallelization_factor > 10) {
    return OutOfRange("ParallelizationFactor", c.parallelization_factor, "1..10");
  }
  if (c.tumbling_window_seconds < 0 || c.tumbling_window_seconds > 900) {
    return OutOfRange("TumblingWindowInSeconds", c.tumbling_window_seconds, "0..900");
  }
  if (c.parallelization_factor > 1 && c.tumbling_window_seconds > 0) {
    // A window's state is one value per shard; lanes would race on it.
    return common::Status::InvalidArgument(
        "TumblingWindowInSeconds cannot be combined with ParallelizationFactor above 1");
  }
  if (!c.on_failure_stream.empty() && c.on_failure_stream == c.stream_name) {
    return common::Status::InvalidArgument("the OnFailure destination must not be the source stream");
  }
  return common::Status::OK();
}

common::Result<StartingPosition> ParseStartingPosition(std::string_view text) {
  if (text == "TRIM_HORIZON") return StartingPosition::kTrimHorizon;
  if (text == "LATEST") return StartingPosition::kLatest;
  if (text == "AT_TIMESTAMP") return StartingPosition::kAtTimestamp;
  return common::Status::InvalidArgument(fmt::format(
      "StartingPosition '{}' is unknown; use TRIM_HORIZON, LATEST or AT_TIMESTAMP", text));
}

std::string_view StartingPositionName(StartingPosition position) {
  switch (position) {
    case StartingPosition::kTrimHorizon: return "TRIM_HORIZON";
    case StartingPosition::kLatest: return "LATEST";
    case StartingPosition::kAtTimestamp: return "AT_TIMESTAMP";
  }
  return "LATEST";
}

}  // namespace functions
