#include "aws/common/base64.h"

#include <array>
#include <cstdint>

namespace aws {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr std::array<int8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

void Base64EncodeAppend(std::string_view bytes, std::string* out) {
  size_t start = out->size();
  out->resize(start + (bytes.size() + 2) / 3 * 4);
  char* p = out->data() + start;
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    *p++ = kAlphabet[(v >> 18) & 63];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = kAlphabet[(v >> 6) & 63];
    *p++ = kAlphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{in[i]} << 16;
    *p++ = kAlphabet[(v >> 18) & 63];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = '=';
    *p++ = '=';
  } else if (rest == 2) {
    uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8);
    *p++ = kAlphabet[(v >> 18) & 63];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = kAlphabet[(v >> 6) & 63];
    *p++ = '=';
  }
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  Base64EncodeAppend(bytes, &out);
  return out;
}

size_t Base64DecodedLength(std::string_view text) {
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  return text.size() / 4 * 3 - pad;
}

common::Result<std::string> Base64Decode(std::string_view text) {
  using common::Status;
  // The messages below are the ones AWS's JSON layer gives (sic "dectected").
  if (text.size() % 4 != 0) {
    return Status::InvalidArgument("Base64 encoded length is expected a multiple of 4 bytes but found: " +
                                   std::to_string(text.size()));
  }
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  size_t body = text.size() - pad;
  for (size_t i = 0; i < body; ++i) {
    if (kDecode[static_cast<unsigned char>(text[i])] < 0) {
      return Status::InvalidArgument(std::string("Invalid Base64 character: '") + text[i] + "'");
    }
  }
  std::string out;
  out.resize(text.size() / 4 * 3 - pad);
  char* p = out.data();
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  size_t full = pad ? text.size() - 4 : text.size();
  size_t i = 0;
  for (; i < full; i += 4) {
    uint32_t v = (uint32_t(kDecode[in[i]]) << 18) | (uint32_t(kDecode[in[i + 1]]) << 12) |
                 (uint32_t(kDecode[in[i + 2]]) << 6) | uint32_t(kDecode[in[i + 3]]);
    *p++ = static_cast<char>(v >> 16);
    *p++ = static_cast<char>((v >> 8) & 0xff);
    *p++ = static_cast<char>(v & 0xff);
  }
  if (pad) {
    uint32_t a = uint32_t(kDecode[in[i]]), b = uint32_t(kDecode[in[i + 1]]);
    if (pad == 2) {
      // Bits that the padding says are unused must be zero, or two encodings
      // would decode to the same bytes.
      if (b & 0x0f) return Status::InvalidArgument("Invalid last non-pad Base64 character dectected");
      *p++ = static_cast<char>((a << 2) | (b >> 4));
    } else {
      uint32_t c = uint32_t(kDecode[in[i + 2]]);
      if (c & 0x03) return Status::InvalidArgument("Invalid last non-pad Base64 character dectected");
      *p++ = static_cast<char>((a << 2) | (b >> 4));
      *p++ = static_cast<char>(((b & 0x0f) << 4) | (c >> 2));
    }
  }
  return out;
}

}  // namespace aws
