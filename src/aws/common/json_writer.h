// A minimal streaming JSON writer for AWS responses. Faster than building a
// DOM (PutRecords and GetRecords answers are on the hot path) and enough for
// the flat shapes AWS JSON protocols use. The caller keeps the nesting
// balanced; Key() must precede every value inside an object.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aws/common/base64.h"

namespace aws {

class JsonWriter {
 public:
  explicit JsonWriter(size_t reserve = 256) { out_.reserve(reserve); }

  JsonWriter& BeginObject() { Separate(); out_ += '{'; first_ = true; return *this; }
  JsonWriter& EndObject() { out_ += '}'; first_ = false; return *this; }
  JsonWriter& BeginArray() { Separate(); out_ += '['; first_ = true; return *this; }
  JsonWriter& EndArray() { out_ += ']'; first_ = false; return *this; }

  // REQUIRES: `key` needs no escaping (member names are our literals).
  JsonWriter& Key(std::string_view key) {
    Separate();
    out_ += '"';
    out_ += key;
    out_ += '"';
    out_ += ':';
    first_ = true;  // the value that follows needs no comma
    return *this;
  }
  JsonWriter& String(std::string_view s) { Separate(); AppendQuoted(s); return *this; }
  // REQUIRES: `s` holds nothing JSON must escape (sequence numbers, shard
  // ids, ARNs built from [a-zA-Z0-9_.-]). Skips the escape scan on hot paths.
  JsonWriter& PlainString(std::string_view s) {
    Separate();
    out_ += '"';
    out_ += s;
    out_ += '"';
    return *this;
  }
  JsonWriter& Base64(std::string_view bytes) {
    Separate();
    out_ += '"';
    Base64EncodeAppend(bytes, &out_);
    out_ += '"';
    return *this;
  }
  JsonWriter& Int(int64_t v) { Separate(); out_ += std::to_string(v); return *this; }
  JsonWriter& Bool(bool v) { Separate(); out_ += v ? "true" : "false"; return *this; }
  // AWS JSON timestamps: epoch seconds as a number with a millisecond fraction.
  JsonWriter& EpochSeconds(int64_t millis);

  // Shorthands for "key": value.
  JsonWriter& Field(std::string_view key, std::string_view s) { return Key(key).String(s); }
  JsonWriter& Field(std::string_view key, const char* s) { return Key(key).String(s); }
  JsonWriter& Field(std::string_view key, int64_t v) { return Key(key).Int(v); }
  JsonWriter& Field(std::string_view key, int v) { return Key(key).Int(v); }
  JsonWriter& Field(std::string_view key, bool v) { return Key(key).Bool(v); }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separate() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  void AppendQuoted(std::string_view s);

  std::string out_;
  bool first_ = true;
};

}  // namespace aws
