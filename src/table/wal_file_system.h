// A RocksDB file system whose write-ahead logs keep zero-filled, synced
// space a chunk ahead of their data (common/zero_fill.h), instead of
// RocksDB's fallocate.
//
// Why: RocksDB preallocates each WAL with fallocate, which on ext4 leaves
// unwritten blocks; the first write into each converts it, so most
// group-commit fdatasyncs also wrote the inode and extent blocks (and with
// FALLOC_FL_KEEP_SIZE, RocksDB's default, the new file size as well). With
// the zeros in place, the fsync writes only data. RocksDB 7.8 has no
// database option for it (and refuses to recycle WAL files with
// point-in-time recovery). A closed WAL is truncated to its data; the zeroed
// tail a crash leaves is what RocksDB's log format reserves record type 0
// for (preallocated space), and its reader skips it.
#pragma once

#include <memory>

#include <rocksdb/env.h>

namespace table {

// An Env over the default file system with that change; it must outlive
// every database opened with it.
std::unique_ptr<rocksdb::Env> NewWalPreallocatingEnv();

}  // namespace table
