// `rivulet replay`: streams archived records (archive_format.h) back into a
// stream over the AWS endpoint of a running Rivulet (or any S3 + Kinesis
// endpoint), through aws/remote's S3 and Kinesis clients: ListObjectsV2
// under the prefix, each object fetched and decompressed in key order, its
// records put with PutRecords in batches of 500, in sequence order per
// source shard. A progress bar (records, MB,
// rate, ETA) is drawn on a terminal; otherwise a plain line every 2 s.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace archiver {

struct ReplayOptions {
  std::string endpoint = "http://127.0.0.1:4566";
  std::string from;       // "archive/<stream>/2026/11/25/" or "s3://archive/<stream>/..."
  std::string to_stream;  // must exist
  std::string region = "us-east-1";
};

struct ReplayStats {
  uint64_t objects = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;  // archive (compressed) bytes read
};

common::Result<ReplayStats> Replay(const ReplayOptions& options);

}  // namespace archiver
