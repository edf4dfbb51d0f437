// Stream metadata: every stream, its shards (hash ranges, lineage, open or
// closed) and settings, kept as one JSON file <data-dir>/streams/metadata.json
// (docs/formats/log.md) that is replaced atomically on every change.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "stream/hash_key.h"
#include "stream/stream_client.h"

namespace stream {

struct ShardMeta {
  uint64_t index = 0;               // shardId-<index, 12 digits>
  std::string parent;               // shard id or ""
  std::string adjacent_parent;      // shard id or ""
  HashKey start = 0;
  HashKey end = 0;
  int64_t created_millis = 0;
  int64_t closed_millis = 0;        // 0 while open
  uint64_t end_offset = 0;          // closed shards: one past the last offset
};

struct StreamMeta {
  std::string name;
  uint64_t uid = 0;                 // unique per incarnation; names the folder
  int64_t creation_millis = 0;
  StreamMode mode = StreamMode::kProvisioned;
  int retention_hours = 24;
  uint64_t next_shard_index = 0;
  std::map<std::string, std::string> tags;
  std::vector<ShardMeta> shards;    // sorted by index
};

struct EngineMeta {
  uint64_t next_uid = 1;
  std::vector<StreamMeta> streams;
};

std::string ShardId(uint64_t index);

std::string EncodeMetadata(const EngineMeta& meta);
// Corruption when the text is not metadata we wrote.
common::Result<EngineMeta> DecodeMetadata(const std::string& text);

// Writes `contents` to `path` so that after a crash the file holds either the
// old or the new contents: temp file, fsync, rename, fsync of the folder.
common::Status WriteFileAtomically(const std::string& path, const std::string& contents);
// NotFound when missing.
common::Result<std::string> ReadFile(const std::string& path);

}  // namespace stream
