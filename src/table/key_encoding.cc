#include "table/key_encoding.h"

#include "table/number.h"

namespace table {
namespace {

// S and B: 0x00 becomes 0x00 0xFF and the value ends with 0x00 0x01, so a
// value sorts before any longer value it is a prefix of.
void EncodeBytes(std::string_view s, std::string* out) {
  EncodeKeyPrefix(s, out);
  out->push_back('\x00');
  out->push_back('\x01');
}

// N: a class byte (1 negative, 2 zero, 3 positive), then for non-zero values
// the exponent biased to 16 bits big-endian and the digits one byte each,
// ended by a terminator. Negative numbers store both inverted so that larger
// magnitudes sort first.
constexpr int kExponentBias = 0x8000;

void EncodeNumber(const std::string& text, std::string* out) {
  auto parsed = number::Parse(text);
  assert(parsed.ok() && "key numbers are validated before encoding");
  const number::Decimal& d = *parsed;
  if (d.is_zero()) {
    out->push_back('\x02');
    return;
  }
  unsigned e = static_cast<unsigned>(d.exponent + kExponentBias);
  if (d.negative) e = ~e & 0xffff;
  out->push_back(d.negative ? '\x01' : '\x03');
  out->push_back(static_cast<char>(e >> 8));
  out->push_back(static_cast<char>(e & 0xff));
  for (char c : d.digits) {
    int digit = c - '0';
    out->push_back(static_cast<char>(d.negative ? 0xfe - digit : digit + 1));
  }
  out->push_back(d.negative ? '\xff' : '\x00');
}

}  // namespace

void EncodeKeyPrefix(std::string_view s, std::string* out) {
  for (char c : s) {
    out->push_back(c);
    if (c == '\x00') out->push_back('\xff');
  }
}

void EncodeKeyValue(const AttributeValue& v, std::string* out) {
  if (v.type() == AttributeValue::Type::kN) {
    EncodeNumber(v.scalar(), out);
  } else {
    EncodeBytes(v.scalar(), out);
  }
}

Result<AttributeValue> DecodeKeyValue(AttributeValue::Type type, std::string_view* in) {
  auto corrupt = [] { return Status::Corruption("stored key does not decode"); };
  if (type == AttributeValue::Type::kN) {
    if (in->empty()) return corrupt();
    char cls = in->front();
    in->remove_prefix(1);
    if (cls == '\x02') return AttributeValue::N("0");
    if ((cls != '\x01' && cls != '\x03') || in->size() < 3) return corrupt();
    bool negative = cls == '\x01';
    unsigned e = (static_cast<unsigned char>((*in)[0]) << 8) | static_cast<unsigned char>((*in)[1]);
    if (negative) e = ~e & 0xffff;
    in->remove_prefix(2);
    number::Decimal d;
    d.negative = negative;
    d.exponent = static_cast<int>(e) - kExponentBias;
    while (true) {
      if (in->empty()) return corrupt();
      auto b = static_cast<unsigned char>(in->front());
      in->remove_prefix(1);
      if (b == (negative ? 0xff : 0x00)) break;
      int digit = negative ? 0xfe - b : b - 1;
      if (digit < 0 || digit > 9) return corrupt();
      d.digits.push_back(static_cast<char>('0' + digit));
    }
    return AttributeValue::N(number::Format(d));
  }
  std::string s;
  while (true) {
    if (in->size() < 1) return corrupt();
    char c = in->front();
    in->remove_prefix(1);
    if (c != '\x00') {
      s.push_back(c);
      continue;
    }
    if (in->empty()) return corrupt();
    char next = in->front();
    in->remove_prefix(1);
    if (next == '\x01') break;
    if (next != '\xff') return corrupt();
    s.push_back('\x00');
  }
  return type == AttributeValue::Type::kB ? AttributeValue::B(std::move(s)) : AttributeValue::S(std::move(s));
}

std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

}  // namespace table
