// The archive's contract: where a batch of stream records lands and what
// its bytes are. Objects are
//   s3://<bucket>/<stream>/YYYY/MM/DD/HH/<stream>-<shard>-<first sequence number>.jsonl.zst
// (the hour, UTC, is the first record's arrival time), zstd-compressed JSON
// lines, one per record in sequence order:
//   {"partitionKey":"k","sequenceNumber":"4963...","approximateArrivalTimestamp":1764108000.123,"data":"<base64>"}
// `approximateArrivalTimestamp` is epoch seconds with milliseconds, as in
// Lambda's Kinesis events. Both the writer (archiver) and the reader
// (replay) use these functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "stream/stream_client.h"

namespace archiver {

// "<stream>/2026/11/25/22/" for an arrival time in epoch millis.
std::string HourPrefix(const std::string& stream, int64_t arrival_millis);
// HourPrefix + "<stream>-<shard>-<first sequence number>.jsonl.zst".
std::string ObjectKey(const std::string& stream, const std::string& shard_id, const stream::Record& first);
// The sequence number in a key made by ObjectKey; "" when it is not one.
std::string SequenceOfKey(std::string_view key);
// Kinesis sequence numbers are decimal integers: compares them as numbers.
int CompareSequence(std::string_view a, std::string_view b);

// One JSON line (with its '\n').
std::string EncodeLine(const stream::Record& record);
// Parses one line back; InvalidArgument naming what is wrong.
common::Result<stream::Record> DecodeLine(std::string_view line);


}  // namespace archiver
