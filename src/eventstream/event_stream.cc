#include "eventstream/event_stream.h"

#include <zlib.h>

namespace eventstream {
namespace {

void PutU32(uint32_t v, std::string* out) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t GetU32(const char* p) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8) | static_cast<uint32_t>(static_cast<uint8_t>(p[3]));
}

uint32_t Crc(const char* data, size_t n) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(n)));
}

}  // namespace

std::string_view Message::HeaderValue(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

void AppendMessage(const std::vector<std::pair<std::string_view, std::string_view>>& headers,
                   std::string_view payload, std::string* out) {
  size_t start = out->size();
  size_t headers_len = 0;
  for (const auto& [name, value] : headers) headers_len += 1 + name.size() + 1 + 2 + value.size();
  uint32_t total = static_cast<uint32_t>(12 + headers_len + payload.size() + 4);
  out->reserve(start + total);
  PutU32(total, out);
  PutU32(static_cast<uint32_t>(headers_len), out);
  PutU32(Crc(out->data() + start, 8), out);
  for (const auto& [name, value] : headers) {
    out->push_back(static_cast<char>(name.size()));
    out->append(name);
    out->push_back(7);  // string
    out->push_back(static_cast<char>((value.size() >> 8) & 0xff));
    out->push_back(static_cast<char>(value.size() & 0xff));
    out->append(value);
  }
  out->append(payload);
  PutU32(Crc(out->data() + start, out->size() - start), out);
}

void AppendEvent(std::string_view event_type, std::string_view content_type, std::string_view payload,
                 std::string* out) {
  AppendMessage({{":event-type", event_type}, {":content-type", content_type}, {":message-type", "event"}}, payload,
                out);
}

void AppendException(std::string_view exception_type, std::string_view content_type, std::string_view payload,
                     std::string* out) {
  AppendMessage({{":exception-type", exception_type}, {":content-type", content_type}, {":message-type", "exception"}},
                payload, out);
}

std::optional<Message> Decoder::Next() {
  if (!error_.empty()) return std::nullopt;
  std::string_view in = std::string_view(buffer_).substr(pos_);
  if (in.size() < 12) return std::nullopt;
  uint32_t total = GetU32(in.data());
  uint32_t headers_len = GetU32(in.data() + 4);
  if (GetU32(in.data() + 8) != Crc(in.data(), 8)) {
    error_ = "prelude CRC mismatch";
    return std::nullopt;
  }
  if (total < 16 || total > kMaxMessageBytes || headers_len > total - 16) {
    error_ = "bad message length " + std::to_string(total) + " with headers " + std::to_string(headers_len);
    return std::nullopt;
  }
  if (in.size() < total) return std::nullopt;
  if (GetU32(in.data() + total - 4) != Crc(in.data(), total - 4)) {
    error_ = "message CRC mismatch";
    return std::nullopt;
  }
  Message m;
  std::string_view h = in.substr(12, headers_len);
  while (!h.empty()) {
    Header header;
    size_t name_len = static_cast<uint8_t>(h[0]);
    if (h.size() < 2 + name_len) return error_ = "truncated header", std::nullopt;
    header.name = std::string(h.substr(1, name_len));
    header.type = static_cast<uint8_t>(h[1 + name_len]);
    h.remove_prefix(2 + name_len);
    size_t value_len;
    switch (header.type) {
      case 0: case 1: value_len = 0; break;
      case 2: value_len = 1; break;
      case 3: value_len = 2; break;
      case 4: value_len = 4; break;
      case 5: case 8: value_len = 8; break;
      case 9: value_len = 16; break;
      case 6: case 7:
        if (h.size() < 2) return error_ = "truncated header", std::nullopt;
        value_len = (static_cast<size_t>(static_cast<uint8_t>(h[0])) << 8) | static_cast<uint8_t>(h[1]);
        h.remove_prefix(2);
        break;
      default: return error_ = "unknown header type " + std::to_string(header.type), std::nullopt;
    }
    if (h.size() < value_len) return error_ = "truncated header", std::nullopt;
    header.value = std::string(h.substr(0, value_len));
    h.remove_prefix(value_len);
    m.headers.push_back(std::move(header));
  }
  m.payload = std::string(in.substr(12 + headers_len, total - 16 - headers_len));
  pos_ += total;
  if (pos_ > (1u << 20)) {  // keep the buffer from growing with consumed bytes
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  return m;
}

}  // namespace eventstream
