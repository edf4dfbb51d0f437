// The 128-bit hash-key space of a stream: parsing and printing the decimal
// keys Kinesis uses, MD5 routing of partition keys, and even splits.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace stream {

using HashKey = unsigned __int128;
inline constexpr HashKey kMaxHashKey = ~HashKey{0};  // 2^128 - 1

// A decimal string 0..2^128-1 without sign or spaces; else InvalidArgument
// naming `field`.
common::Result<HashKey> ParseHashKey(std::string_view text, std::string_view field = "hash key");
std::string FormatHashKey(HashKey key);

// MD5 of the partition key read as a big-endian 128-bit integer (as Kinesis).
HashKey HashPartitionKey(std::string_view partition_key);

// Shard i of n equal ranges: [start, end], the last ending at kMaxHashKey.
HashKey RangeStart(int i, int n);
HashKey RangeEnd(int i, int n);

}  // namespace stream
