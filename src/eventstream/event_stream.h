// The application/vnd.amazon.eventstream message framing (AWS event streams:
// Kinesis SubscribeToShard, S3 Select, Transcribe). A message is
//   total length (u32) | headers length (u32) | prelude CRC32 (u32)
//   | headers | payload | message CRC32 (u32)
// big-endian, CRC32 being zlib's (ISO-HDLC), not CRC32C. The prelude CRC
// covers the first 8 bytes, the message CRC everything before it. A header
// is name length (u8) | name | type (u8) | value; we write strings (type 7)
// and read every type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventstream {

struct Header {
  std::string name;
  uint8_t type = 7;   // 0 true, 1 false, 2 byte, 3 short, 4 int, 5 long, 6 bytes, 7 string, 8 timestamp, 9 uuid
  std::string value;  // raw value bytes (strings and bytes without their length prefix)
};

struct Message {
  std::vector<Header> headers;
  std::string payload;
  // The string value of header `name`, "" when absent.
  std::string_view HeaderValue(std::string_view name) const;
};

// Appends one framed message with string headers to `out`.
void AppendMessage(const std::vector<std::pair<std::string_view, std::string_view>>& headers,
                   std::string_view payload, std::string* out);

// Messages of the Kinesis/AWS JSON shape: `:message-type event`.
void AppendEvent(std::string_view event_type, std::string_view content_type, std::string_view payload,
                 std::string* out);
// `:message-type exception` with the exception name and a payload naming it.
void AppendException(std::string_view exception_type, std::string_view content_type, std::string_view payload,
                     std::string* out);

// Incremental decoder: Feed bytes as they arrive, then Next() until it says
// no more. Errors (bad lengths, CRC mismatch, truncated headers) are sticky.
class Decoder {
 public:
  // Messages longer than this are refused (AWS caps them at 16 MiB).
  static constexpr uint32_t kMaxMessageBytes = 16 << 20;

  void Feed(std::string_view bytes) { buffer_.append(bytes); }
  // A complete message, nullopt when more bytes are needed or after an error.
  std::optional<Message> Next();
  const std::string& error() const { return error_; }

 private:
  std::string buffer_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace eventstream
