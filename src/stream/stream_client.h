// StreamClient: what the rest of Rivulet (functions, orders, the Kinesis wire
// adapter) may ask of a stream service. The embedded engine implements it
// with direct calls (no HTTP, no JSON); a remote implementation speaks the
// Kinesis protocol to real AWS. Names and semantics follow Kinesis Data
// Streams so the wire adapter is a thin translation.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace stream {

using common::Result;
using common::Status;

// Status codes the engine uses, which the Kinesis adapter maps to exceptions:
//   NotFound -> ResourceNotFoundException, ResourceInUse -> ResourceInUseException,
//   InvalidArgument -> InvalidArgumentException, LimitExceeded -> LimitExceededException,
//   Expired -> ExpiredIteratorException, Throttled -> ProvisionedThroughputExceededException.

struct PutEntry {
  std::string partition_key;                     // 1..256 bytes
  std::optional<std::string> explicit_hash_key;  // decimal 128-bit integer
  std::string data;                              // raw bytes, up to 1 MiB
};

struct PutResult {
  std::string shard_id;         // "shardId-000000000000"
  std::string sequence_number;  // decimal string, increasing per shard
};

struct Record {
  std::string sequence_number;
  std::string partition_key;
  std::string data;
  int64_t arrival_millis = 0;  // ApproximateArrivalTimestamp
};

enum class IteratorType { kTrimHorizon, kLatest, kAtSequenceNumber, kAfterSequenceNumber, kAtTimestamp };

struct IteratorRequest {
  std::string stream_name;
  std::string shard_id;
  IteratorType type = IteratorType::kTrimHorizon;
  std::string sequence_number;  // for kAt/kAfterSequenceNumber
  int64_t timestamp_millis = 0; // for kAtTimestamp
};

struct HashKeyRange {
  std::string starting_hash_key;  // decimal
  std::string ending_hash_key;    // decimal, inclusive
};

struct ShardInfo {
  std::string shard_id;
  std::string parent_shard_id;           // "" when none
  std::string adjacent_parent_shard_id;  // "" when none
  HashKeyRange hash_key_range;
  std::string starting_sequence_number;
  std::string ending_sequence_number;  // "" while the shard is open
};

struct ChildShard {
  std::string shard_id;
  std::vector<std::string> parent_shards;
  HashKeyRange hash_key_range;
};

struct GetRecordsResult {
  std::vector<Record> records;
  std::string next_shard_iterator;  // "" once a closed shard is fully read
  int64_t millis_behind_latest = 0;
  std::vector<ChildShard> child_shards;  // set when next_shard_iterator is ""
};

enum class StreamMode { kProvisioned, kOnDemand };
enum class StreamStatus { kCreating, kActive, kUpdating, kDeleting };

struct StreamDescription {
  std::string stream_name;
  std::string stream_arn;
  StreamStatus status = StreamStatus::kActive;
  StreamMode mode = StreamMode::kProvisioned;
  int retention_hours = 24;
  int64_t creation_millis = 0;
  int open_shard_count = 0;
  std::vector<ShardInfo> shards;  // every shard still within retention
  std::map<std::string, std::string> tags;
};

// Called after a batch of new records became durable on a shard. Must be cheap
// and must not block (it runs on the thread that committed the batch): typically it
// wakes a reader.
using NewRecordsCallback = std::function<void(const std::string& shard_id)>;

class Subscription {
 public:
  virtual ~Subscription() = default;  // unsubscribes
};

class StreamClient {
 public:
  virtual ~StreamClient() = default;

  // Control plane.
  virtual Status CreateStream(const std::string& name, int shard_count, StreamMode mode) = 0;
  virtual Status DeleteStream(const std::string& name) = 0;
  virtual Result<StreamDescription> DescribeStream(const std::string& name) = 0;
  virtual Result<std::vector<std::string>> ListStreams() = 0;

  // Data plane. `done` runs once every entry has an outcome, after the
  // accepted ones are durable according to the stream's durability setting
  // (fsync by default). Per-entry failures (throttling) come back per entry;
  // a whole-call failure (unknown stream, invalid entry) as the outer Status.
  // `done` may run on another thread than the caller's.
  using PutCallback = std::function<void(Result<std::vector<Result<PutResult>>>)>;
  virtual void PutRecords(const std::string& stream_name, std::vector<PutEntry> entries,
                          PutCallback done) = 0;

  // Blocking PutRecords, for callers that are not on an I/O thread. An
  // implementation may do the durable write on the caller's thread.
  virtual Result<std::vector<Result<PutResult>>> PutRecordsAndWait(const std::string& stream_name,
                                                                   std::vector<PutEntry> entries);
  // Blocking convenience for callers that are not on an I/O thread.
  Result<PutResult> PutRecord(const std::string& stream_name, PutEntry entry);

  // Returns an opaque iterator token valid for 5 minutes.
  virtual Result<std::string> GetShardIterator(const IteratorRequest& request) = 0;
  // Reads up to `limit` records (1..10000) from an iterator token.
  virtual Result<GetRecordsResult> GetRecords(const std::string& shard_iterator, int limit) = 0;

  // Calls `callback` whenever new durable records arrive on any shard of the
  // stream, until the Subscription is destroyed.
  virtual Result<std::unique_ptr<Subscription>> Subscribe(const std::string& stream_name,
                                                          NewRecordsCallback callback) = 0;

 protected:
  // Runs `put` with a callback and waits for that callback's result.
  static Result<std::vector<Result<PutResult>>> Await(const std::function<void(PutCallback)>& put);
};

}  // namespace stream
