// Function: a named piece of business logic invoked with batches of stream
// records, the way AWS Lambda invokes a function from a Kinesis event-source
// mapping. Built-in functions are C++ classes implementing this interface.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "stream/stream_client.h"

namespace functions {

struct Batch {
  std::string stream_name;
  std::string shard_id;
  std::vector<stream::Record> records;  // in sequence order
};

struct InvocationContext {
  std::string function_name;
  std::string mapping_id;
  int attempt = 1;  // 1 for the first invocation of this batch
};

// What an invocation reports. A failure makes the runtime retry the batch (or
// bisect it); with ReportBatchItemFailures a partial failure names the
// records that failed, and the runtime resumes from the lowest of them.
struct InvocationResult {
  enum class Kind { kSuccess, kFailure, kPartialFailure };
  Kind kind = Kind::kSuccess;
  std::string error;  // kFailure: what went wrong, for logs and the failure destination
  std::vector<std::string> failed_sequence_numbers;  // kPartialFailure

  static InvocationResult Success() { return {}; }
  static InvocationResult Failure(std::string error) {
    return {Kind::kFailure, std::move(error), {}};
  }
  static InvocationResult PartialFailure(std::vector<std::string> failed) {
    return {Kind::kPartialFailure, "", std::move(failed)};
  }
};

// Thread safety: Invoke may be called concurrently for different shards, and
// never concurrently for the same shard of the same mapping.
class Function {
 public:
  virtual ~Function() = default;
  virtual InvocationResult Invoke(const Batch& batch, const InvocationContext& context) = 0;
};

}  // namespace functions
