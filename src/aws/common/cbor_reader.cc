#include "aws/common/cbor_reader.h"

#include <cmath>
#include <limits>

namespace aws {
namespace {

using cbor::Value;

std::string_view JavaClass(const Value& v) {
  switch (v.type) {
    case Value::Type::kText: return "class java.lang.String";
    case Value::Type::kBool: return "class java.lang.Boolean";
    case Value::Type::kBytes: return "class java.nio.HeapByteBuffer";
    default: return "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";
  }
}

bool IsNumber(const Value& v) { return v.is_integer() || v.type == Value::Type::kFloat; }

// Integers beyond int64 saturate; floats are floored like AWS's numbers.
int64_t AsInt64(const Value& v) {
  if (v.type == Value::Type::kUnsigned) {
    return v.number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
               ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(v.number);
  }
  if (v.type == Value::Type::kNegative) {
    return v.number >= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
               ? std::numeric_limits<int64_t>::min() : -1 - static_cast<int64_t>(v.number);
  }
  double d = std::floor(v.real);
  if (!(d == d)) return 0;
  if (d >= 9.2e18) return std::numeric_limits<int64_t>::max();
  if (d <= -9.2e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}

}  // namespace

const Value* CborReader::Member(CborObject object, std::string_view key) {
  if (failed()) return nullptr;
  const Value* v = object.Find(key);
  if (v == nullptr || v->type == Value::Type::kNull || v->type == Value::Type::kUndefined) return nullptr;
  return v;
}

void CborReader::Mismatch(const Value& v, std::string_view target) {
  if (v.is_array()) return TypeError("Start of list found where not expected");
  if (v.is_map()) return TypeError("Start of structure or map found where not expected.");
  TypeError(std::string(JavaClass(v)) + " can not be converted to " + std::string(target));
}

std::optional<std::string_view> CborReader::AsString(const Value* v) {
  if (failed() || v == nullptr || v->type == Value::Type::kNull) return std::nullopt;
  if (v->type == Value::Type::kText) return v->text;
  Mismatch(*v, "an String");
  return std::nullopt;
}

std::optional<std::string_view> CborReader::String(CborObject object, std::string_view key) {
  const Value* v = Member(object, key);
  return v ? AsString(v) : std::nullopt;
}

std::optional<int64_t> CborReader::Long(CborObject object, std::string_view key) {
  const Value* v = Member(object, key);
  if (v == nullptr) return std::nullopt;
  if (IsNumber(*v)) return AsInt64(*v);
  Mismatch(*v, "an Long");
  return std::nullopt;
}

std::optional<int64_t> CborReader::Integer(CborObject object, std::string_view key) {
  const Value* v = Member(object, key);
  if (v == nullptr) return std::nullopt;
  if (!IsNumber(*v)) {
    Mismatch(*v, "an Integer");
    return std::nullopt;
  }
  int64_t n = AsInt64(*v);
  // As JsonReader: Java's int clamps.
  if (n > std::numeric_limits<int32_t>::max()) n = std::numeric_limits<int32_t>::max();
  if (n < std::numeric_limits<int32_t>::min()) n = std::numeric_limits<int32_t>::min();
  return n;
}

std::optional<bool> CborReader::Boolean(CborObject object, std::string_view key) {
  const Value* v = Member(object, key);
  if (v == nullptr) return std::nullopt;
  if (v->type == Value::Type::kBool) return v->number != 0;
  Mismatch(*v, "an Boolean");
  return std::nullopt;
}

std::optional<int64_t> CborReader::TimestampMillis(CborObject object, std::string_view key) {
  const Value* v = Member(object, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_integer()) return AsInt64(*v);  // epoch millis (AWS SDK for Java)
  if (v->type == Value::Type::kFloat) {     // epoch seconds (smithy rpcv2-cbor)
    if (!std::isfinite(v->real) || std::fabs(v->real) > 9.2e15) {
      TypeError("the timestamp is out of range");
      return std::nullopt;
    }
    return static_cast<int64_t>(std::floor(v->real * 1000.0));
  }
  Mismatch(*v, "milliseconds since epoch");
  return std::nullopt;
}

std::optional<std::string> CborReader::Blob(CborObject object, std::string_view key) {
  const Value* v = Member(object, key);
  if (v == nullptr) return std::nullopt;
  if (v->type == Value::Type::kBytes) return std::string(v->text);
  Mismatch(*v, "a Blob");
  return std::nullopt;
}

std::optional<CborList> CborReader::List(CborObject object, std::string_view key) {
  const Value* v = Member(object, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_array()) return CborList(v);
  if (v->is_map()) TypeError("Start of structure or map found where not expected.");
  else TypeError("Expected list or null");
  return std::nullopt;
}

std::optional<CborObject> CborReader::AsStructure(const Value* v) {
  if (failed() || v == nullptr || v->type == Value::Type::kNull) return std::nullopt;
  if (v->is_map()) return CborObject(v);
  if (v->is_array()) TypeError("Start of list found where not expected");
  else TypeError("Expected null");
  return std::nullopt;
}

std::optional<CborObject> CborReader::Structure(CborObject object, std::string_view key) {
  const Value* v = Member(object, key);
  return v ? AsStructure(v) : std::nullopt;
}

std::optional<CborObject> CborReader::Map(CborObject object, std::string_view key) { return Structure(object, key); }

}  // namespace aws
