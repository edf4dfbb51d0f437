// The tables' change feed (the DynamoDB Streams idea), from RocksDB into
// Rivulet streams.
//
// Recording: a write to a table whose StreamSpecification is enabled stages
// one change record per changed item in the same RocksDB WriteBatch as the
// item (key 'c' + be64(sequence), see README.md), and the commit queue gives
// the sequence numbers in commit order. So a write is acknowledged only with
// its change record durable, and a record exists only for a durable write.
//
// Forwarding: ChangeForwarder (one thread) reads the records in sequence
// order, publishes each table's records into the stream
// ChangeStreamName(table) (one shard, so the stream keeps the commit order)
// through a StreamClient, then records how far it got (the cursor key 'f',
// fsynced) and deletes the forwarded records. A crash between the stream's
// acknowledgement and the cursor leaves records that are already in the
// stream; at start the forwarder reads each stream's tail past the cursor's
// position and skips the sequence numbers it finds there. Result: each
// acknowledged write appears exactly once, in write order.
//
// Thread safety: ChangeForwarder's methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "stream/stream_client.h"
#include "table/table_client.h"

namespace table {

class TableEngine;

// The binary form of a change record in RocksDB (the sequence is in the key).
void EncodeChange(const ChangeRecord& record, std::string* out);
Result<ChangeRecord> DecodeChange(uint64_t sequence, std::string_view bytes);

// How far the forwarder got: every record up to `through` is in its stream;
// `positions` holds each stream's last sequence number written by us.
struct ChangeCursor {
  uint64_t through = 0;
  std::map<std::string, std::string> positions;  // stream name -> Kinesis sequence number
};

// What the engine tells the forwarder.
class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  // New records are durable. Cheap and non-blocking (runs on a writer's thread).
  virtual void OnChanges() = 0;
  // A table's stream was enabled (CreateTable/UpdateTable): its stream must exist.
  virtual Status OnStreamEnabled(const std::string& table_name) = 0;
};

// How records look in the stream: `encode` makes a record's data, and
// `sequence_of` reads the change sequence back from such data (for the
// restart check). The DynamoDB Streams JSON shape lives in aws/dynamodb.
struct ChangeFormat {
  std::function<std::string(const ChangeRecord&)> encode;
  std::function<std::optional<uint64_t>(std::string_view data)> sequence_of;
};

class ChangeForwarder final : public ChangeListener {
 public:
  // Neither pointer is owned; both must outlive the forwarder.
  ChangeForwarder(TableEngine* tables, stream::StreamClient* streams, ChangeFormat format);
  ~ChangeForwarder() override;  // stops the thread; pending records stay for the next start

  // Registers with the engine, creates the streams of tables with an enabled
  // stream, and starts the thread (`poll_millis`: how often it looks without
  // being told, e.g. after a failure; 0: no thread, tests call ForwardOnce).
  Status Start(int poll_millis = 500);
  // Forwards everything recorded so far (tests, and the thread).
  Status ForwardOnce();

  void OnChanges() override;
  Status OnStreamEnabled(const std::string& table_name) override;

 private:
  Status EnsureStream(const std::string& stream_name);
  // Records already in `stream_name` after `position` (a crash between the
  // stream's ack and our cursor): their sequence numbers.
  Result<std::set<uint64_t>> SequencesInStreamTail(const std::string& stream_name, const std::string& position);
  void Loop(int poll_millis);

  TableEngine* tables_;
  stream::StreamClient* streams_;
  ChangeFormat format_;

  std::mutex forward_mu_;                       // one ForwardOnce at a time
  std::set<std::string> checked_tails_;         // guarded by forward_mu_: streams checked since start
  std::set<uint64_t> already_sent_;             // guarded by forward_mu_: found in a stream's tail

  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;      // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace table
