// CBOR (RFC 8949) for the AWS CBOR protocol (Content-Type
// application/x-amz-cbor-1.1, what the Java SDKs and the KCL send to Kinesis):
// a decoder into a small item tree whose strings point into the input, and a
// streaming writer with JsonWriter's interface so one response template
// writes either format. Timestamps follow the AWS SDK for Java: tag 1 with
// integer epoch milliseconds; blobs are byte strings.
//
// Why our own: the codec is small, bounded and fuzzed (cbor_fuzz); Debian's
// libcbor 0.8 allocates an item per value and leaves limits to the caller.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aws::cbor {

struct Value {
  enum class Type { kUnsigned, kNegative, kBytes, kText, kArray, kMap, kBool, kNull, kUndefined, kFloat };
  Type type = Type::kNull;
  uint64_t number = 0;  // kUnsigned: the value; kNegative: -1 - number; kBool: 0/1
  double real = 0;      // kFloat (half, single and double widths)
  std::string_view text;  // kBytes, kText
  std::vector<Value> items;  // kArray: elements; kMap: key, value, key, value...
  std::optional<uint64_t> tag;  // the outermost tag, if any

  bool is_map() const { return type == Type::kMap; }
  bool is_array() const { return type == Type::kArray; }
  bool is_integer() const { return type == Type::kUnsigned || type == Type::kNegative; }
  // The member of a map whose key is the text `key`, nullptr when absent.
  const Value* Find(std::string_view key) const;
};

// A decoded document. Strings of `root` point into the input (which must
// outlive it) or into the document's own storage (indefinite-length strings).
class Document {
 public:
  // Decodes exactly one item filling `input`. Returns an error message
  // (truncated input, trailing bytes, nesting deeper than 64, reserved
  // encodings, a non-text map key) or nullopt on success.
  std::optional<std::string> Parse(std::string_view input);
  const Value& root() const { return root_; }

 private:
  Value root_;
  std::deque<std::string> storage_;  // joined chunks of indefinite strings
  friend class Decoder;
};

// Writes CBOR in JsonWriter's shape: maps and arrays use indefinite lengths
// (as Jackson's CBOR generator does), so no count is needed up front.
class Writer {
 public:
  explicit Writer(size_t reserve = 256) { out_.reserve(reserve); }
  Writer& BeginObject() { out_ += '\xbf'; return *this; }
  Writer& EndObject() { out_ += '\xff'; return *this; }
  Writer& BeginArray() { out_ += '\x9f'; return *this; }
  Writer& EndArray() { out_ += '\xff'; return *this; }
  Writer& Key(std::string_view key) { return String(key); }
  Writer& String(std::string_view s) { Head(3, s.size()); out_.append(s); return *this; }
  Writer& PlainString(std::string_view s) { return String(s); }
  // Named for JsonWriter's base64 blobs: CBOR carries the bytes as they are.
  Writer& Base64(std::string_view bytes) { Head(2, bytes.size()); out_.append(bytes); return *this; }
  Writer& Int(int64_t v) {
    if (v >= 0) Head(0, static_cast<uint64_t>(v));
    else Head(1, static_cast<uint64_t>(-(v + 1)));
    return *this;
  }
  Writer& Bool(bool v) { out_ += v ? '\xf5' : '\xf4'; return *this; }
  Writer& Double(double v);
  // Tag 1 (epoch-based date/time) with integer milliseconds, as the AWS SDK
  // for Java writes and reads timestamps in CBOR.
  Writer& EpochSeconds(int64_t millis) { Head(6, 1); return Int(millis); }
  Writer& Field(std::string_view key, std::string_view s) { return Key(key).String(s); }
  Writer& Field(std::string_view key, const char* s) { return Key(key).String(s); }
  Writer& Field(std::string_view key, int64_t v) { return Key(key).Int(v); }
  Writer& Field(std::string_view key, int v) { return Key(key).Int(v); }
  Writer& Field(std::string_view key, bool v) { return Key(key).Bool(v); }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Head(int major, uint64_t value);
  std::string out_;
};

}  // namespace aws::cbor
