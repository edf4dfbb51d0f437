// EventSourceMappingConfig: Lambda's Kinesis event-source mapping parameters,
// with Lambda's names, defaults and limits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace functions {

enum class StartingPosition { kTrimHorizon, kLatest, kAtTimestamp };

struct EventSourceMappingConfig {
  std::string id;             // UUID; assigned by the runtime when empty
  std::string function_name;  // must be registered
  std::string stream_name;
  bool enabled = true;
  int batch_size = 100;                       // 1..10000
  int maximum_batching_window_ms = 0;         // 0..300000 (seconds in the API)
  StartingPosition starting_position = StartingPosition::kLatest;
  int64_t starting_position_timestamp_millis = 0;  // kAtTimestamp
  int maximum_retry_attempts = -1;            // -1 (infinite) .. 10000
  int maximum_record_age_seconds = -1;        // -1 (infinite) or 60..604800
  bool bisect_batch_on_function_error = false;
  bool report_batch_item_failures = false;    // FunctionResponseTypes
  std::string on_failure_stream;              // DestinationConfig.OnFailure ("" = none)
  int parallelization_factor = 1;             // 1..10 concurrent batches per shard
  int tumbling_window_seconds = 0;            // 0..900; 0 = no windows
  // False for consumers that keep their state in memory and rebuild it from
  // the stream at each start (live analytics): nothing is written to the
  // checkpoint store, and each start begins at the starting position.
  bool persist_checkpoints = true;
};

// InvalidArgument naming the parameter, its value and the allowed range.
common::Status Validate(const EventSourceMappingConfig& config);

// "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP".
common::Result<StartingPosition> ParseStartingPosition(std::string_view text);
std::string_view StartingPositionName(StartingPosition position);

}  // namespace functions
