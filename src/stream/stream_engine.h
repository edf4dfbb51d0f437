// StreamEngine: the embedded Kinesis-like stream service. Streams and their
// shards live under `<data-dir>/streams`; each shard is a log of segment files
// (src/log, format in docs/formats/log.md); stream metadata (shards, hash
// ranges, lineage, retention, tags) is one JSON file replaced atomically.
//
// Every method that takes `stream` accepts a stream name or its ARN
// (`arn:aws:kinesis:us-east-1:000000000000:stream/<name>`).
//
// Status codes (the Kinesis adapter maps them 1:1 to exceptions):
//   NotFound        -> ResourceNotFoundException (unknown stream or shard)
//   ResourceInUse   -> ResourceInUseException (stream exists; shard already
//                      closed by a split or merge)
//   InvalidArgument -> InvalidArgumentException / ValidationException (bad
//                      values; the message says which value and the limit)
//   LimitExceeded   -> LimitExceededException (shard limit)
//   Expired         -> ExpiredIteratorException
//   Throttled       -> ProvisionedThroughputExceededException (per entry)
//   IOError/Internal -> InternalFailure (500)
//
// Lifecycle: Open() recovers every shard (truncating torn tails, logged) and
// starts the commit threads and the retention thread; the destructor flushes
// pending appends (their callbacks run) and joins the threads. Subscriptions
// must be destroyed before the engine. Thread safety: all methods may be
// called concurrently from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "stream/stream_client.h"

namespace stream {

enum class Durability {
  kFsync,     // acknowledge after fdatasync (group commit); the default
  kInterval,  // acknowledge after write(); fdatasync every interval_ms
  kNone,      // acknowledge after write(); never fdatasync (OS decides)
};

// "fsync" | "interval" | "none"; anything else is InvalidArgument.
Result<Durability> ParseDurability(std::string_view text);

struct StreamEngineOptions {
  std::string data_dir = "./data";  // the engine uses <data_dir>/streams
  Durability durability = Durability::kFsync;
  int interval_ms = 1000;  // kInterval only
  // kFsync only: under load a shard's group commit waits until this long
  // after its previous one began, to cover more appends with one fsync
  // (common::CommitGathering). 0 = never waits.
  int commit_gather_micros = 1000;
  common::Clock* clock = nullptr;  // nullptr = SystemClock::Default(); not owned
  // Kinesis's per-shard write limits (1 MiB/s and 1000 records/s). Off by
  // default so users get full speed unless they ask for Kinesis's limits.
  bool shard_write_limits = false;
  int shard_limit = 500;                  // open shards per engine (DescribeLimits)
  int on_demand_stream_count_limit = 50;  // DescribeLimits
  int64_t segment_bytes = 64 << 20;       // a segment is sealed beyond this size
  int64_t segment_max_age_ms = 3'600'000; // ... or when its first record is this old
  int64_t retention_bytes_per_shard = 0;  // 0 = no size limit
  int commit_threads = 4;                 // shards are spread over these
  bool start_retention_thread = true;     // tests call EnforceRetention() instead
};

// ListShards' ShardFilter (Kinesis names). The adapter turns NextToken and
// MaxResults into `exclusive_start_shard_id` and slicing of the result.
enum class ShardFilterType {
  kNone,              // every shard still within retention
  kAfterShardId,      // shards whose id sorts after shard_id
  kAtTrimHorizon,     // every shard still within retention
  kFromTrimHorizon,   // same as kAtTrimHorizon
  kAtLatest,          // open shards only
  kAtTimestamp,       // shards open at timestamp_millis
  kFromTimestamp,     // shards open at or after timestamp_millis
};

struct ShardFilter {
  ShardFilterType type = ShardFilterType::kNone;
  std::string shard_id;          // kAfterShardId
  int64_t timestamp_millis = 0;  // kAtTimestamp, kFromTimestamp
};

struct StreamLimits {  // DescribeLimits
  int shard_limit = 0;
  int open_shard_count = 0;
  int on_demand_stream_count = 0;
  int on_demand_stream_count_limit = 0;
};

struct UpdateShardCountResult {
  std::string stream_name;
  std::string stream_arn;
  int current_shard_count = 0;  // open shards before the update
  int target_shard_count = 0;
};

class StreamEngine final : public StreamClient {
 public:
  // Creates <data_dir>/streams if missing and recovers what is there.
  // IOError: the folder cannot be created or read. ResourceInUse: another
  // engine (in this or another process) has it open. Corruption: a sealed
  // (non-last) segment or the metadata file is damaged; a torn tail of a
  // shard's last segment is not an error (it is truncated and logged).
  static Result<std::unique_ptr<StreamEngine>> Open(const StreamEngineOptions& options);
  ~StreamEngine() override;

  StreamEngine(const StreamEngine&) = delete;
  StreamEngine& operator=(const StreamEngine&) = delete;

  // "arn:aws:kinesis:us-east-1:000000000000:stream/<name>".
  static std::string StreamArn(std::string_view name);
  // Accepts a name or an ARN. InvalidArgument: malformed ARN or a name that is
  // not 1..128 of [a-zA-Z0-9_.-].
  static Result<std::string> ResolveStreamName(std::string_view name_or_arn);

  // --- StreamClient -------------------------------------------------------
  // CreateStream: ResourceInUse if the stream exists; InvalidArgument if
  // shard_count is not 1..shard_limit or the name is invalid; LimitExceeded if
  // the open shards of all streams would exceed shard_limit. kOnDemand streams
  // get 4 shards when shard_count <= 0. The stream is ACTIVE on return.
  Status CreateStream(const std::string& name, int shard_count, StreamMode mode) override;
  // NotFound if unknown. Deletes the data at once; open iterators then fail
  // with NotFound.
  Status DeleteStream(const std::string& name) override;
  // NotFound if unknown. Lists every shard still within retention.
  Result<StreamDescription> DescribeStream(const std::string& name) override;
  // Names in sorted order.
  Result<std::vector<std::string>> ListStreams() override;
  // Whole-call errors: NotFound (stream), InvalidArgument (no entries, more
  // than 500 entries, more than 5 MiB in total, a partition key not 1..256
  // bytes, data over 1 MiB, a malformed ExplicitHashKey). Per entry:
  // Throttled when shard_write_limits is on and the shard is over its limit;
  // IOError when the write or fsync failed.
  void PutRecords(const std::string& stream_name, std::vector<PutEntry> entries,
                  PutCallback done) override;
  // As PutRecords; the last shard's group commit runs on the caller's thread
  // when none is in flight (Log::AppendLeading).
  Result<std::vector<Result<PutResult>>> PutRecordsAndWait(const std::string& stream_name,
                                                           std::vector<PutEntry> entries) override;
  // NotFound (stream or shard), InvalidArgument (malformed sequence number, or
  // one that belongs to another shard).
  Result<std::string> GetShardIterator(const IteratorRequest& request) override;
  // Expired: the token is older than 5 minutes. InvalidArgument: the token is
  // malformed or forged, or limit is not 1..10000. NotFound: its stream was
  // deleted. Returns at most `limit` records and about 10 MiB.
  Result<GetRecordsResult> GetRecords(const std::string& shard_iterator, int limit) override;
  // NotFound: unknown stream. The callback runs on the committing thread after each
  // durable batch of any shard of the stream, before the batch's PutRecords
  // callbacks; it must not destroy a Subscription of the same stream.
  Result<std::unique_ptr<Subscription>> Subscribe(const std::string& stream_name,
                                                  NewRecordsCallback callback) override;

  // --- Kinesis-only operations used by the wire adapter --------------------
  // Shards matching `filter`, sorted by shard id, with ids greater than
  // `exclusive_start_shard_id` when it is not empty. NotFound: unknown stream.
  // InvalidArgument: kAfterShardId without shard_id.
  Result<std::vector<ShardInfo>> ListShards(const std::string& stream, const ShardFilter& filter,
                                            const std::string& exclusive_start_shard_id = "");
  // Closes `shard_id` and opens two children split at new_starting_hash_key
  // (decimal). NotFound: stream or shard. ResourceInUse: the shard is already
  // closed. InvalidArgument: the key is not a decimal strictly inside the
  // shard's range (must be > starting key and <= ending key). LimitExceeded:
  // one more open shard would exceed shard_limit.
  Status SplitShard(const std::string& stream, const std::string& shard_id,
                    const std::string& new_starting_hash_key);
  // Closes both shards and opens one child covering both ranges; the child's
  // parent is `shard_id`, its adjacent parent `adjacent_shard_id`.
  // NotFound: stream or shard. ResourceInUse: either is closed.
  // InvalidArgument: the ranges are not adjacent or the ids are equal.
  Status MergeShards(const std::string& stream, const std::string& shard_id,
                     const std::string& adjacent_shard_id);
  // UNIFORM_SCALING: closes all open shards and opens `target` shards with
  // equal hash ranges; each child names up to two overlapping parents.
  // InvalidArgument: target not 1..shard_limit, or outside half..double the
  // current open count (as Kinesis). LimitExceeded: over shard_limit.
  Result<UpdateShardCountResult> UpdateShardCount(const std::string& stream, int target);
  // hours must be 24..8760 (as Kinesis) and >= (Increase) / <= (Decrease)
  // the current value, else InvalidArgument. NotFound: unknown stream.
  Status IncreaseStreamRetentionPeriod(const std::string& stream, int hours);
  Status DecreaseStreamRetentionPeriod(const std::string& stream, int hours);
  // At most 50 tags per stream, keys 1..128 and values 0..256 characters;
  // otherwise InvalidArgument (LimitExceeded for more than 50 in total).
  Status AddTagsToStream(const std::string& stream, const std::map<std::string, std::string>& tags);
  Status RemoveTagsFromStream(const std::string& stream, const std::vector<std::string>& keys);
  // All tags sorted by key (the adapter paginates with ExclusiveStartTagKey).
  Result<std::map<std::string, std::string>> ListTagsForStream(const std::string& stream);
  StreamLimits DescribeLimits();

  // Deletes whole segments older than the retention period or beyond
  // retention_bytes_per_shard, and forgets closed shards whose records have
  // all expired. Runs in the background once a second; tests call it directly
  // after moving a ManualClock.
  Status EnforceRetention();

  class Impl;

 private:
  explicit StreamEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace stream
