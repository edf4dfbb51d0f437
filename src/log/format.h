// The frame format of log segment files: see docs/formats/log.md.
//
//   +0  u32 crc32c   CRC-32C of bytes [+4, end of frame)
//   +4  u32 length   payload length in bytes
//   +8  u64 offset   the record's offset in its log (strictly increasing)
//   +16 i64 time     arrival time, ms since the Unix epoch (non-decreasing)
//   +24 payload      varint key length, key bytes, value bytes
//
// All integers are little-endian. A segment file is frames back to back, with
// no file header; its name is its base offset (20 decimal digits) + ".log".
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace logs {

inline constexpr size_t kFrameHeaderSize = 24;
// A larger length field is treated as corruption, not as an allocation.
inline constexpr uint32_t kMaxPayloadSize = 16u << 20;

// One decoded frame; the views point into the scanned buffer.
struct FrameView {
  uint64_t offset = 0;
  int64_t timestamp = 0;
  std::string_view key;
  std::string_view value;
  uint64_t position = 0;  // byte position of the frame in the buffer
  uint32_t size = 0;      // whole frame, header included
};

// Appends one frame to *dst.
void AppendFrame(std::string* dst, uint64_t offset, int64_t timestamp, std::string_view key,
                 std::string_view value);

// Size of the frame AppendFrame would write.
size_t FrameSize(std::string_view key, std::string_view value);

enum class DecodeOutcome {
  kOk,         // *frame is set
  kTruncated,  // fewer bytes than the header or the length field needs
  kCorrupt,    // CRC mismatch, oversized length or malformed payload
};

// Decodes the frame at the front of `bytes` (frame->position is left 0).
DecodeOutcome DecodeFrame(std::string_view bytes, FrameView* frame);

struct ScanResult {
  uint64_t valid_bytes = 0;  // length of the prefix made of valid frames
  uint64_t records = 0;
  bool clean = true;         // false if bytes remain after the valid prefix
  std::string problem;       // why the scan stopped early, for the log line
};

// Walks the frames of a segment image, calling `visit` for each valid one, and
// stops at the first frame that is torn, corrupt, or whose offset is not above
// the previous one (or below `min_offset`). Never reads outside `bytes`.
ScanResult ScanSegment(std::string_view bytes, uint64_t min_offset,
                       const std::function<void(const FrameView&)>& visit);

}  // namespace logs
