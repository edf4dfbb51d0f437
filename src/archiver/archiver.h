// The archiver: a built-in function that copies stream records into the
// object store the way Kinesis Data Firehose delivers to S3. One
// event-source mapping per configured stream ("archiver-<stream>") hands it
// batches; each batch becomes one or more zstd JSON-lines objects laid out
// as archive_format.h says, and the batch succeeds (so the runtime advances
// the checkpoint) only after every object is durable.
//
// Exactly once. A batch that is re-delivered (a crash after the objects
// were written but before the checkpoint was) starts at the same record, so
// its first object has the same key and is overwritten; before writing,
// objects of the same shard whose first sequence number is at or past the
// batch's first record are deleted, as they hold only records that were
// never checkpointed and are being delivered again. So the archive never
// holds a record twice and never loses one.
//
// Thread safety: the runtime may invoke it for several shards at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "functions/runtime.h"
#include "objects/object_client.h"

namespace archiver {

struct ArchiverOptions {
  std::string bucket = "archive";
  std::vector<std::string> streams = {"orders", "activity"};
  // An object is written when this much time passed since its first record
  // was read, or when it holds max_object_bytes of JSON lines or
  // batch_size records, whichever comes first.
  int interval_ms = 60'000;                  // the mapping's batching window; at most 300000
  uint64_t max_object_bytes = 5ULL << 20;    // uncompressed JSON lines
  int batch_size = 10'000;                   // Lambda's limit for stream batches
  int zstd_level = 3;
};

class Archiver {
 public:
  static constexpr char kFunctionName[] = "archiver";

  // Registers the function and creates a mapping per stream; streams that do
  // not exist yet (the shop creates its streams on first use) are retried
  // every second until they do.
  static common::Result<std::unique_ptr<Archiver>> Start(functions::FunctionRuntime* runtime,
                                                         objects::ObjectClient* objects, ArchiverOptions options);
  ~Archiver();  // stops the mappings

 private:
  Archiver() = default;
  void RetryLoop();
  // Creates the mappings still missing; true when none is.
  bool CreateMappings();

  functions::FunctionRuntime* runtime_ = nullptr;
  ArchiverOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                 // guarded by mu_
  std::vector<std::string> pending_;      // streams without a mapping yet; guarded by mu_
  std::vector<std::string> mapping_ids_;  // guarded by mu_
  std::thread retry_;
};

}  // namespace archiver
