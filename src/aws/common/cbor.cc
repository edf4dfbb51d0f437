#include "aws/common/cbor.h"

#include <cmath>
#include <cstring>

namespace aws::cbor {

const Value* Value::Find(std::string_view key) const {
  if (type != Type::kMap) return nullptr;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].text == key) return &items[i + 1];
  }
  return nullptr;
}

class Decoder {
 public:
  Decoder(std::string_view in, Document* doc) : in_(in), doc_(doc) {}

  std::optional<std::string> Item(Value* out, int depth) {
    if (depth > kMaxDepth) return "CBOR nesting is deeper than " + std::to_string(kMaxDepth);
    uint8_t initial;
    if (!Byte(&initial)) return Truncated();
    int major = initial >> 5;
    int info = initial & 31;
    if (major == 6) {  // tag: keep the outermost, decode the content
      uint64_t tag;
      if (auto e = Argument(info, &tag)) return e;
      if (auto e = Item(out, depth + 1)) return e;
      out->tag = tag;
      return std::nullopt;
    }
    if (major == 7) return Simple(info, out);
    if (info == 31) {
      if (major == 0 || major == 1) return std::string("indefinite length on an integer");
      return Indefinite(major, out, depth);
    }
    uint64_t arg;
    if (auto e = Argument(info, &arg)) return e;
    switch (major) {
      case 0: out->type = Value::Type::kUnsigned; out->number = arg; return std::nullopt;
      case 1: out->type = Value::Type::kNegative; out->number = arg; return std::nullopt;
      case 2:
      case 3: {
        out->type = major == 2 ? Value::Type::kBytes : Value::Type::kText;
        if (arg > in_.size() - pos_) return Truncated();
        out->text = in_.substr(pos_, arg);
        pos_ += arg;
        return std::nullopt;
      }
      default: {  // 4 array, 5 map
        out->type = major == 4 ? Value::Type::kArray : Value::Type::kMap;
        uint64_t count = major == 4 ? arg : arg * 2;
        if (major == 5 && arg > (1ull << 62)) return Truncated();
        // Each item takes at least one byte: a count beyond the input is a lie.
        if (count > in_.size() - pos_) return Truncated();
        out->items.resize(count);
        for (uint64_t i = 0; i < count; ++i) {
          if (auto e = Item(&out->items[i], depth + 1)) return e;
          if (major == 5 && i % 2 == 0 && out->items[i].type != Value::Type::kText) {
            return std::string("a map key is not a text string");
          }
        }
        return std::nullopt;
      }
    }
  }

  bool done() const { return pos_ == in_.size(); }

 private:
  static constexpr int kMaxDepth = 64;

  static std::string Truncated() { return "CBOR input ends inside an item"; }

  bool Byte(uint8_t* b) {
    if (pos_ >= in_.size()) return false;
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }

  std::optional<std::string> Argument(int info, uint64_t* out) {
    if (info < 24) {
      *out = static_cast<uint64_t>(info);
      return std::nullopt;
    }
    if (info > 27) return "reserved CBOR additional information " + std::to_string(info);
    size_t n = size_t{1} << (info - 24);
    if (n > in_.size() - pos_) return Truncated();
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(in_[pos_ + i]);
    pos_ += n;
    *out = v;
    return std::nullopt;
  }

  std::optional<std::string> Simple(int info, Value* out) {
    if (info == 20 || info == 21) {
      out->type = Value::Type::kBool;
      out->number = info == 21;
      return std::nullopt;
    }
    if (info == 22) { out->type = Value::Type::kNull; return std::nullopt; }
    if (info == 23) { out->type = Value::Type::kUndefined; return std::nullopt; }
    if (info >= 25 && info <= 27) {
      uint64_t bits;
      if (auto e = Argument(info, &bits)) return e;
      out->type = Value::Type::kFloat;
      if (info == 25) out->real = HalfToDouble(static_cast<uint16_t>(bits));
      else if (info == 26) {
        uint32_t b32 = static_cast<uint32_t>(bits);
        float f;
        std::memcpy(&f, &b32, 4);
        out->real = f;
      } else {
        std::memcpy(&out->real, &bits, 8);
      }
      return std::nullopt;
    }
    if (info == 31) return std::string("unexpected CBOR break");
    return "unsupported CBOR simple value " + std::to_string(info);
  }

  static double HalfToDouble(uint16_t h) {
    int exp = (h >> 10) & 0x1f;
    int mant = h & 0x3ff;
    double v = exp == 0 ? std::ldexp(mant, -24) : exp != 31 ? std::ldexp(mant + 1024, exp - 25)
                                                : (mant == 0 ? INFINITY : NAN);
    return (h & 0x8000) ? -v : v;
  }

  bool AtBreak() { return pos_ < in_.size() && static_cast<uint8_t>(in_[pos_]) == 0xff; }

  std::optional<std::string> Indefinite(int major, Value* out, int depth) {
    if (major == 2 || major == 3) {
      out->type = major == 2 ? Value::Type::kBytes : Value::Type::kText;
      std::string joined;
      while (!AtBreak()) {
        if (pos_ >= in_.size()) return Truncated();
        Value chunk;
        uint8_t initial = static_cast<uint8_t>(in_[pos_]);
        if ((initial >> 5) != major || (initial & 31) == 31) return std::string("bad chunk in an indefinite string");
        if (auto e = Item(&chunk, depth + 1)) return e;
        joined.append(chunk.text);
      }
      ++pos_;
      doc_->storage_.push_back(std::move(joined));
      out->text = doc_->storage_.back();
      return std::nullopt;
    }
    out->type = major == 4 ? Value::Type::kArray : Value::Type::kMap;
    while (!AtBreak()) {
      if (pos_ >= in_.size()) return Truncated();
      out->items.emplace_back();
      if (auto e = Item(&out->items.back(), depth + 1)) return e;
      if (major == 5) {
        if (out->items.back().type != Value::Type::kText) return std::string("a map key is not a text string");
        if (AtBreak() || pos_ >= in_.size()) return Truncated();
        out->items.emplace_back();
        if (auto e = Item(&out->items.back(), depth + 1)) return e;
      }
    }
    ++pos_;
    return std::nullopt;
  }

  std::string_view in_;
  size_t pos_ = 0;
  Document* doc_;
};

std::optional<std::string> Document::Parse(std::string_view input) {
  root_ = Value{};
  storage_.clear();
  Decoder decoder(input, this);
  if (auto e = decoder.Item(&root_, 0)) return e;
  if (!decoder.done()) return std::string("bytes after the CBOR item");
  return std::nullopt;
}

void Writer::Head(int major, uint64_t value) {
  char m = static_cast<char>(major << 5);
  if (value < 24) {
    out_ += static_cast<char>(m | value);
    return;
  }
  int bytes = value <= 0xff ? 1 : value <= 0xffff ? 2 : value <= 0xffffffffull ? 4 : 8;
  out_ += static_cast<char>(m | (bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27));
  for (int i = bytes - 1; i >= 0; --i) out_ += static_cast<char>((value >> (8 * i)) & 0xff);
}

Writer& Writer::Double(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  out_ += '\xfb';
  for (int i = 7; i >= 0; --i) out_ += static_cast<char>((bits >> (8 * i)) & 0xff);
  return *this;
}

}  // namespace aws::cbor
