// Function: a named piece of business logic invoked with batches of stream
// records, the way AWS Lambda invokes a function from a Kinesis event-source
// mapping. Built-in functions are C++ classes implementing this interface.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "stream/stream_client.h"

namespace functions {

struct Batch {
  std::string stream_name;
  std::string shard_id;
  std::vector<stream::Record> records;  // in sequence order
};

// Set for mappings with TumblingWindowInSeconds: the records of one batch
// all arrived inside [start_millis, end_millis). `state` is what the previous
// invocation of this window returned ("" at its start). The final invocation
// of a window has no records and is_final set.
struct WindowContext {
  int64_t start_millis = 0;
  int64_t end_millis = 0;
  std::string state;
  bool is_final = false;
};

struct InvocationContext {
  std::string function_name;
  std::string mapping_id;
  int attempt = 1;  // 1 for the first invocation of this batch
  std::optional<WindowContext> window;
};

// What an invocation reports. A failure makes the runtime retry the batch (or
// bisect it); with ReportBatchItemFailures a partial failure names the
// records that failed, and the runtime resumes from the lowest of them.
struct InvocationResult {
  enum class Kind { kSuccess, kFailure, kPartialFailure };
  Kind kind = Kind::kSuccess;
  std::string error;  // kFailure: what went wrong, for logs and the failure destination
  std::vector<std::string> failed_sequence_numbers;  // kPartialFailure
  std::string window_state;  // tumbling windows: carried to the next invocation

  static InvocationResult Success() { return {}; }
  static InvocationResult WithState(std::string state) {
    InvocationResult r;
    r.window_state = std::move(state);
    return r;
  }
  static InvocationResult Failure(std::string error) {
    InvocationResult r;
    r.kind = Kind::kFailure;
    r.error = std::move(error);
    return r;
  }
  static InvocationResult PartialFailure(std::vector<std::string> failed) {
    InvocationResult r;
    r.kind = Kind::kPartialFailure;
    r.failed_sequence_numbers = std::move(failed);
    return r;
  }
};

// Thread safety: Invoke may be called concurrently for different shards. For
// one shard of one mapping it is called once at a time, except with
// ParallelizationFactor N > 1: then up to N batches of a shard run at once,
// never two with the same partition key.
class Function {
 public:
  virtual ~Function() = default;
  virtual InvocationResult Invoke(const Batch& batch, const InvocationContext& context) = 0;
};

// Asks whether a function may make one read of its mapping's source stream
// (`action`: kinesis:DescribeStream when discovering shards,
// kinesis:GetShardIterator, kinesis:GetRecords), the way Lambda's poller
// reads with the function's execution role. PermissionDenied (with a message
// for a person) refuses it: the read is not made and is tried again after a
// second from where it stopped, so nothing is skipped once it is allowed.
using SourceReadCheck = std::function<common::Status(std::string_view action, const std::string& stream_name)>;

}  // namespace functions
