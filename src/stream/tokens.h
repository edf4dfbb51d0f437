// Sequence numbers and shard iterators: the two opaque strings clients hold.
//
// Sequence number: 40 decimal digits, "49" + the shard index (18 digits) +
// the record's offset in the shard's log (20 digits). Equal length makes
// string order equal numeric order; offsets persist in the log, so numbers
// keep growing across restarts.
//
// Shard iterator: base64 of (version, stream incarnation, shard index,
// position, expiry, stream name) + a 16-byte HMAC-SHA256 under a per-data-dir
// random key, so a forged or edited token is rejected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace stream {

struct SequenceNumber {
  uint64_t shard_index = 0;
  uint64_t offset = 0;
};

std::string FormatSequenceNumber(uint64_t shard_index, uint64_t offset);
// InvalidArgument when `text` is not one of ours.
common::Result<SequenceNumber> ParseSequenceNumber(std::string_view text);

struct IteratorToken {
  std::string stream_name;
  uint64_t stream_uid = 0;  // which incarnation of the name
  uint64_t shard_index = 0;
  uint64_t position = 0;    // next offset to read
  int64_t expires_millis = 0;
};

std::string EncodeIterator(const IteratorToken& token, std::string_view key);
// InvalidArgument when malformed or when the MAC does not match (forged).
// Expiry is the caller's check.
common::Result<IteratorToken> DecodeIterator(std::string_view text, std::string_view key);

}  // namespace stream
