// Reading a stream's newest records for the console: the live tail (polled
// with a cursor) and the per-shard "records in per second" figure.
//
// Why polling with a cursor rather than a push over /ws: a push would need a
// reader per watched stream inside the server, started and stopped as tabs
// subscribe and leave; with a cursor the server keeps no state at all, each
// poll reads only the records that arrived since the last one, a paused tail
// costs nothing, and it works unchanged while the WebSocket is down. One
// request a second per watching tab is nothing next to the shop's traffic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "stream/stream_client.h"

namespace console {

// Where a tail continues on one shard: after a sequence number, or (for a
// shard that had no record yet) at an arrival time.
struct TailPosition {
  std::string shard_id;
  std::string after_sequence;  // "" -> use at_millis
  int64_t at_millis = 0;
};

// The cursor is plain text so it fits a query parameter unescaped:
// "<shardId>:<sequence>" or "<shardId>:t<millis>", joined with ",".
std::string FormatCursor(const std::vector<TailPosition>& positions);
// InvalidArgument (naming the bad part) for anything FormatCursor did not make.
common::Result<std::vector<TailPosition>> ParseCursor(std::string_view text);

struct TailRecord {
  std::string shard_id;
  stream::Record record;
};

struct TailResult {
  std::vector<TailRecord> records;  // oldest first, at most `limit`
  int64_t skipped = 0;              // older new records left out to keep up
  bool behind = false;              // a shard had more than one read's worth
  std::vector<TailPosition> next;
};

// Reads what arrived after `positions` (or, when empty, from `since_millis`
// on every shard). Keeps the newest `limit` records. Shards that appear later
// (resharding) are read from their start.
common::Result<TailResult> ReadTail(stream::StreamClient* streams, const std::string& stream,
                                    const std::vector<TailPosition>& positions, int64_t since_millis, int limit,
                                    int64_t now_millis);

// Records that arrived on `shard_id` at or after `from_millis`, capped at
// `cap` (one GetRecords call; the console shows "≥ cap").
common::Result<int64_t> CountSince(stream::StreamClient* streams, const std::string& stream,
                                   const std::string& shard_id, int64_t from_millis, int cap);

// {shardId, sequenceNumber, partitionKey, arrivedAt (epoch ms), size,
//  encoding: "text"|"base64", data}. Text when the bytes are valid UTF-8
// without control characters other than tab and newlines (JSON events are).
nlohmann::json RecordJson(const TailRecord& record, size_t max_data_bytes = 4096);

}  // namespace console
