#include "log/format.h"

#include "common/coding.h"
#include "log/crc32c.h"

namespace logs {
namespace {

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

size_t FrameSize(std::string_view key, std::string_view value) {
  return kFrameHeaderSize + VarintLength(key.size()) + key.size() + value.size();
}

void AppendFrame(std::string* dst, uint64_t offset, int64_t timestamp, std::string_view key,
                 std::string_view value) {
  size_t start = dst->size();
  size_t payload = VarintLength(key.size()) + key.size() + value.size();
  dst->reserve(start + kFrameHeaderSize + payload);
  common::PutFixed32(dst, 0);  // CRC, filled below
  common::PutFixed32(dst, static_cast<uint32_t>(payload));
  common::PutFixed64(dst, offset);
  common::PutFixed64(dst, static_cast<uint64_t>(timestamp));
  common::PutVarint64(dst, key.size());
  dst->append(key);
  dst->append(value);
  char* frame = dst->data() + start;
  common::EncodeFixed32(frame, Crc32c(frame + 4, kFrameHeaderSize - 4 + payload));
}

DecodeOutcome DecodeFrame(std::string_view bytes, FrameView* frame) {
  if (bytes.size() < kFrameHeaderSize) return DecodeOutcome::kTruncated;
  uint32_t length = common::DecodeFixed32(bytes.data() + 4);
  if (length > kMaxPayloadSize) return DecodeOutcome::kCorrupt;
  if (bytes.size() - kFrameHeaderSize < length) return DecodeOutcome::kTruncated;
  uint32_t stored_crc = common::DecodeFixed32(bytes.data());
  if (Crc32c(bytes.data() + 4, kFrameHeaderSize - 4 + length) != stored_crc) {
    return DecodeOutcome::kCorrupt;
  }
  std::string_view payload = bytes.substr(kFrameHeaderSize, length);
  uint64_t key_length = 0;
  if (!common::GetVarint64(&payload, &key_length) || key_length > payload.size()) {
    return DecodeOutcome::kCorrupt;
  }
  frame->offset = common::DecodeFixed64(bytes.data() + 8);
  frame->timestamp = static_cast<int64_t>(common::DecodeFixed64(bytes.data() + 16));
  frame->key = payload.substr(0, key_length);
  frame->value = payload.substr(key_length);
  frame->size = static_cast<uint32_t>(kFrameHeaderSize + length);
  return DecodeOutcome::kOk;
}

ScanResult ScanSegment(std::string_view bytes, uint64_t min_offset,
                       const std::function<void(const FrameView&)>& visit) {
  ScanResult result;
  uint64_t position = 0;
  bool first = true;
  uint64_t previous = 0;
  while (position < bytes.size()) {
    FrameView frame;
    DecodeOutcome outcome = DecodeFrame(bytes.substr(position), &frame);
    if (outcome == DecodeOutcome::kTruncated) {
      result.problem = "torn frame at byte " + std::to_string(position);
      break;
    }
    if (outcome == DecodeOutcome::kCorrupt) {
      result.problem = "corrupt frame (CRC or length) at byte " + std::to_string(position);
      break;
    }
    if (frame.offset < min_offset || (!first && frame.offset <= previous)) {
      result.problem = "offset " + std::to_string(frame.offset) + " out of order at byte " +
                       std::to_string(position);
      break;
    }
    frame.position = position;
    if (visit) visit(frame);
    previous = frame.offset;
    first = false;
    position += frame.size;
    ++result.records;
  }
  result.valid_bytes = position;
  result.clean = position == bytes.size();
  return result;
}

}  // namespace logs
